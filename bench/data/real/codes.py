"""Public code tables shared by the real-database loaders.

Everything here is fixed in code and public: ICD-9 diagnosis groups, drug-name
patterns of the medication classes, MIMIC-III item ids of the first-day vital
signs and laboratory values, and the plausibility ranges outside which a value
is treated as a charting error and dropped. The group and class names are the
simulated cohorts', so a real cohort's table has the same
kind of columns as a simulated one; age groups and public bounds come from
``bench.data.vocabulary``, which the simulator uses too.
"""

from __future__ import annotations

from bench.data.vocabulary import AGE_GROUPS, LAB_BOUNDS, VITAL_BOUNDS  # noqa: F401 (part of this module's vocabulary)

# ICD-9-CM groups: name -> code prefixes (codes without the dot, as MIMIC-III stores them;
# eICU's "401.9, I10" is reduced to its first ICD-9 code, dot removed). A code belongs to
# every group one of whose prefixes it starts with.
ICD9_GROUPS: dict[str, tuple[str, ...]] = {
    "hypertension": ("401", "402", "403", "404", "405"),
    "hyperlipidemia": ("2720", "2721", "2722", "2723", "2724"),
    "diabetes": ("250",),
    "obesity": ("2780",),
    "coronary_disease": ("410", "411", "412", "413", "414"),
    "heart_failure": ("428",),
    "atrial_fibrillation": ("42731", "42732"),
    "kidney_disease": ("585", "586"),
    "copd": ("490", "491", "492", "494", "496"),
    "cancer": tuple(str(code) for code in range(140, 209)),  # malignant neoplasms 140-208
    "liver_disease": ("570", "571", "572", "573"),
    "alcohol_use": ("291", "303", "3050"),
    "thyroid_disease": ("240", "241", "242", "243", "244", "245", "246"),
    "depression": ("2962", "2963", "3004", "311"),
    "anemia": ("280", "281", "282", "283", "284", "285"),
    "pneumonia": ("480", "481", "482", "483", "484", "485", "486", "507"),
    "urinary_infection": ("5990",),
    "sepsis": ("038", "99591", "99592", "78552"),
    "respiratory_failure": ("51881", "51882", "51884", "7991"),
    "acute_kidney_injury": ("584",),
    "fluid_electrolyte": ("276",),
    "stroke": ("430", "431", "432", "433", "434", "436"),
    "pulmonary_embolism": ("4151",),
    "gi_bleed": ("578", "5693", "4560", "45620", "5310", "5312", "5314", "5316", "5320", "5322", "5324",
                 "5326", "5330", "5332", "5334", "5336", "5340", "5342", "5344", "5346"),
    "trauma": tuple(str(code) for code in range(800, 960)),  # injuries 800-959
}

# Medication classes: name -> case-insensitive substrings of the drug name.
MEDICATION_CLASSES: dict[str, tuple[str, ...]] = {
    "antihypertensive": ("metoprolol", "labetalol", "hydralazine", "lisinopril", "amlodipine", "carvedilol",
                         "diltiazem", "captopril", "enalapril", "losartan", "nifedipine", "atenolol", "clonidine"),
    "insulin": ("insulin",),
    "anticoagulant": ("heparin", "enoxaparin", "warfarin", "coumadin", "argatroban", "bivalirudin", "apixaban",
                      "rivaroxaban", "fondaparinux", "dabigatran"),
    "antibiotic": ("vancomycin", "piperacillin", "zosyn", "cefepime", "ceftriaxone", "cefazolin", "meropenem",
                   "levofloxacin", "ciprofloxacin", "metronidazole", "azithromycin", "ampicillin", "unasyn",
                   "clindamycin", "linezolid", "gentamicin", "tobramycin", "sulfamethoxazole", "bactrim",
                   "nafcillin", "doxycycline", "imipenem", "aztreonam", "cefuroxime", "ceftazidime", "penicillin",
                   "amoxicillin", "daptomycin"),
    "statin": ("atorvastatin", "simvastatin", "pravastatin", "rosuvastatin", "lovastatin"),
    "vasopressor": ("norepinephrine", "levophed", "phenylephrine", "vasopressin", "epinephrine", "dopamine",
                    "dobutamine"),
    "diuretic": ("furosemide", "lasix", "bumetanide", "torsemide", "hydrochlorothiazide", "spironolactone",
                 "chlorothiazide", "metolazone", "acetazolamide"),
    "sedative": ("propofol", "midazolam", "lorazepam", "dexmedetomidine", "precedex", "diazepam"),
    "bronchodilator": ("albuterol", "ipratropium", "levalbuterol", "salmeterol", "tiotropium", "duoneb",
                       "formoterol"),
    "proton_pump_inhibitor": ("pantoprazole", "omeprazole", "esomeprazole", "lansoprazole", "protonix",
                              "rabeprazole"),
}

# MIMIC-III CHARTEVENTS item ids, CareVue (ids < 220000) and MetaVision, per vital sign, with the
# unit conversion ("f_to_c" for Fahrenheit temperatures) and the plausible range kept.
# | vital       | CareVue ids               | MetaVision ids          | kept range     |
# | heart_rate  | 211                       | 220045                  | (0, 300)       |
# | sbp         | 51, 442, 455, 6701        | 220179, 220050          | (0, 400)       |
# | dbp         | 8368, 8440, 8441, 8555    | 220180, 220051          | (0, 300)       |
# | mbp         | 52, 443, 456, 6702        | 220052, 220181, 225312  | (0, 300)       |
# | resp_rate   | 615, 618                  | 220210, 224690          | (0, 70)        |
# | temperature | 676 (C), 678 (F)          | 223762 (C), 223761 (F)  | (10, 50) in C  |
# | spo2        | 646                       | 220277                  | (0, 100]       |
# | glucose     | 807, 811, 1529            | 225664, 220621, 226537  | (0, 2000)      |
MIMIC_VITAL_ITEMS: dict[str, tuple[tuple[int, ...], tuple[float, float]]] = {
    "heart_rate": ((211, 220045), (0.0, 300.0)),
    "sbp": ((51, 442, 455, 6701, 220179, 220050), (0.0, 400.0)),
    "dbp": ((8368, 8440, 8441, 8555, 220180, 220051), (0.0, 300.0)),
    "mbp": ((52, 443, 456, 6702, 220052, 220181, 225312), (0.0, 300.0)),
    "resp_rate": ((615, 618, 220210, 224690), (0.0, 70.0)),
    "temperature": ((676, 678, 223762, 223761), (10.0, 50.0)),
    "spo2": ((646, 220277), (0.0, 100.0)),
    "glucose": ((807, 811, 1529, 225664, 220621, 226537), (0.0, 2000.0)),
}
FAHRENHEIT_ITEMS = (678, 223761)

# MIMIC-III LABEVENTS item ids (blood) per laboratory value.
MIMIC_LAB_ITEMS: dict[str, tuple[int, ...]] = {
    "creatinine": (50912,),
    "bun": (51006,),
    "sodium": (50983, 50824),
    "potassium": (50971, 50822),
    "bicarbonate": (50882,),
    "wbc": (51300, 51301),
    "hemoglobin": (51222, 50811),
    "platelets": (51265,),
    "lactate": (50813,),
    "bilirubin": (50885,),
}


ETHNICITY_MIMIC = ("WHITE", "BLACK", "HISPANIC", "ASIAN", "OTHER", "UNKNOWN")
CARE_UNITS_MIMIC = ("MICU", "SICU", "CCU", "CSRU", "TSICU")
ADMISSION_TYPES_MIMIC = ("EMERGENCY", "ELECTIVE", "URGENT")
UNIT_TYPES_EICU = ("Med-Surg ICU", "MICU", "CCU-CTICU", "Neuro ICU", "Cardiac ICU", "SICU", "CSICU", "CTICU")
ETHNICITY_EICU = ("Caucasian", "African American", "Hispanic", "Asian", "Native American", "Other/Unknown")
AGE_HIGH = 91.0  # MIMIC shifts ages over 89 to about 300 and eICU writes "> 89": both become 91


def icd9_group_sql(code_column: str) -> str:
    """SQL (DuckDB) list of the ICD-9 groups a code column belongs to (NULL entries elsewhere)."""
    return _label_list_sql(ICD9_GROUPS, lambda p: f"starts_with({code_column}, '{p}')")


def medication_class_sql(name_column: str) -> str:
    """SQL (DuckDB) list of the medication classes a drug name belongs to (NULL entries elsewhere)."""
    return _label_list_sql(MEDICATION_CLASSES, lambda p: f"contains(lower({name_column}), '{p}')")


def _label_list_sql(labels: dict[str, tuple[str, ...]], test) -> str:
    """``[CASE WHEN <any pattern of label 1> THEN 'label 1' END, ...]``: unnested by the loaders."""
    cases = [f"CASE WHEN {' OR '.join(test(p) for p in patterns)} THEN '{label}' END" for label, patterns in labels.items()]
    return "[" + ", ".join(cases) + "]"
