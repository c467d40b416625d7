"""SDV's non-private single-table synthesizers as reference rows (not DP).

GaussianCopula, CTGAN and TVAE from ``sdv.single_table``: what a user would
pick instead of a DP method when privacy is not a constraint. Each is listed
as a reference (tagged ``reference``), not as a row of the DP-MedGAN paper,
and makes no privacy claim (not tagged ``is_dp``; the fit reports no
``PrivacySpent``).

Reads of private rows beyond the fit itself. SDV's metadata comes from the
public schema (``Schema.to_sdv_metadata``), never detected from the data.
But SDV learns more from the training rows than the schema gives it, which is
acceptable only because these methods make no privacy claim:

* ``enforce_min_max_values`` (SDV's default, kept) clips each numerical column
  to the min/max *observed in the training rows*;
* ``enforce_rounding`` (SDV's default, kept) rounds each numerical column to
  the number of decimals observed in the training rows;
* CTGAN and TVAE fit a Bayesian Gaussian mixture per continuous column on the
  training rows (mode-specific normalisation), GaussianCopula fits each
  column's marginal (beta by default) to them.

The release then goes through ``SDVReference._conform``: continuous values are
clipped to the schema's public bounds, binaries cast to int 0/1 (the schema
stores them as 0/1 integers, which SDV models as ``categorical``),
categoricals mapped to the schema's category strings, and a missing value
survives only in a nullable column. Whatever that had to change is counted in
``repairs_`` (on the embedded cohorts it is nothing: SDV's own min/max
clipping keeps values within the observed, hence public, range).

Randomness. ``fit`` seeds Python's, NumPy's and torch's global generators
from the run's seed (CTGAN and TVAE draw from the globals while training).
SDV samples from a fixed seed (73251) unless told otherwise, so every
``sample`` call first resets SDV's sampling state and seeds the model with a
number drawn from ``self.rng_``: the same seed gives the same release, and a
different seed a different one. The column transforms that ctgan runs through
joblib (``n_jobs=-1``, one process per core) are forced to run in-process, so
a fit uses the one thread the run gives it.

Reference: Patki, Wedge & Veeramachaneni, "The Synthetic Data Vault", IEEE
DSAA 2016; Xu, Skoularidou, Cuesta-Infante & Veeramachaneni, "Modeling
Tabular Data using Conditional GAN", NeurIPS 2019 (CTGAN and TVAE).
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import math
import re
import warnings
from dataclasses import asdict, dataclass, replace
from typing import Any, ClassVar, Iterator

import numpy as np
import pandas as pd

from bench.api.synthesizer import Synthesizer
from bench.api.tags import SynthesizerTags

# SDV writes its usage log (a CSV file in the user's data folder) through these loggers.
_SDV_LOGGERS = ("SingleTableSynthesizer", "MultiTableSynthesizer", "Metadata", "SingleTableMetadata")


class SDVReference(Synthesizer):
    """Shared wrapper: builds the SDV synthesizer from the public schema, fits
    it on the training rows, samples with a seed drawn from ``self.rng_`` and
    conforms the output to the schema. A subclass names the SDV class and
    turns its config into SDV's keyword arguments (``sdv_arguments``)."""

    tags = SynthesizerTags(reference=True)
    sdv_class: ClassVar[str] = ""  # class name in sdv.single_table

    # -- what a subclass provides ---------------------------------------------
    def sdv_arguments(self, config: Any) -> dict[str, Any]:
        raise NotImplementedError

    # -- template ---------------------------------------------------------------
    def _settings(self) -> Any:
        return self.config if self.config is not None else self.config_for("quick")

    def _fit(self, train, *, budget, public):
        import sdv.single_table

        with quiet_sdv():
            metadata = self.schema.to_sdv_metadata()
            self.table_name_ = next(iter(metadata.tables))
            model_class = getattr(sdv.single_table, self.sdv_class)
            self.model_ = model_class(metadata, **self.sdv_arguments(self._settings()))
            self.model_.fit(self._sdv_data(train[self.schema.names]))
        self.repairs_: dict[str, int] = {}
        return None  # not DP: no privacy claim

    def _sample(self, n: int) -> pd.DataFrame:
        seed = int(self.rng_.integers(2**31 - 1))
        with quiet_sdv():
            self._seed_sampling(seed)
            table = self.model_.sample(num_rows=n)
        if isinstance(table, dict):  # SDV >= 2 returns {table name: DataFrame}
            table = table[self.table_name_]
        return self._conform(table)

    # -- helpers ------------------------------------------------------------------
    def _sdv_data(self, table: pd.DataFrame):
        """SDV >= 2 takes ``{table name: DataFrame}``; earlier versions the DataFrame."""
        import sdv

        major = int(re.match(r"\d+", sdv.__version__).group())
        return {self.table_name_: table} if major >= 2 else table

    def _seed_sampling(self, seed: int) -> None:
        """Make the next ``sample`` a function of ``seed`` alone.

        ``reset_sampling`` puts SDV's column transformers back to their
        post-fit state; the model's own generators (NumPy, and torch for
        CTGAN/TVAE) are then seeded. The global generators are seeded too, for
        any draw SDV makes outside the model's generators.
        """
        self.model_.reset_sampling()
        if hasattr(self.model_, "_set_random_state"):  # SDV's seeding hook (a private method)
            self.model_._set_random_state(seed)
        np.random.seed(seed)
        if self.tags.uses_device:
            import torch

            torch.manual_seed(seed)

    def _conform(self, table: pd.DataFrame) -> pd.DataFrame:
        """Cast SDV's output to the schema's types and public domain (see module docstring)."""
        out = {}
        for col in self.schema.columns:
            values = table[col.name]
            if col.kind == "categorical":
                present = values.notna()
                text = values.astype(object)
                text[present] = values[present].astype(str)
                unknown = present & ~text.isin(col.categories)
                if unknown.any():
                    self._repaired(col.name, int(unknown.sum()))
                    text = text.mask(unknown, np.nan if col.nullable else col.categories[0])
                fixed = text
            else:
                numbers = pd.to_numeric(values, errors="coerce").astype(np.float64)
                if col.kind == "binary":
                    rounded = numbers.round().clip(0, 1)
                else:
                    rounded = numbers.clip(col.low, col.high)
                changed = (rounded != numbers) & numbers.notna()
                if changed.any():
                    self._repaired(col.name, int(changed.sum()))
                fixed = rounded
            missing = fixed.isna()
            if missing.any() and not col.nullable:
                # SDV learns missingness only from columns that have some, so this does not
                # happen on data that passed validation; a public default keeps the release valid.
                self._repaired(col.name, int(missing.sum()))
                fixed = fixed.fillna(_public_default(col))
                missing = fixed.isna()
            if col.kind == "binary" and not missing.any():
                fixed = fixed.astype(np.int64)
            out[col.name] = fixed.to_numpy()
        return pd.DataFrame(out)

    def _repaired(self, column: str, count: int) -> None:
        self.repairs_[column] = self.repairs_.get(column, 0) + count


def _public_default(col) -> Any:
    if col.kind == "continuous":
        return (col.low + col.high) / 2
    if col.kind == "binary":
        return 0
    return col.categories[0]


def _epochs(epochs: float) -> int:
    """SDV trains whole epochs: a fraction rounds up, to at least one."""
    return max(1, math.ceil(epochs))


def _device_argument(sdv_class: str, use_cuda: bool) -> dict[str, bool]:
    """SDV names the GPU switch ``enable_gpu`` (recent versions, 2.0 included) or ``cuda`` (older ones)."""
    import sdv.single_table

    parameters = inspect.signature(getattr(sdv.single_table, sdv_class).__init__).parameters
    return {"enable_gpu": use_cuda} if "enable_gpu" in parameters else {"cuda": use_cuda}


@contextlib.contextmanager
def quiet_sdv() -> Iterator[None]:
    """Silence SDV's usage log and the harmless warnings it and its dependencies
    are known to raise while fitting and sampling, for the duration of the block
    only (none of them fires on the embedded cohorts with SDV 2.0; any other
    warning still reaches the caller). joblib runs sequentially inside it."""
    loggers = [logging.getLogger(name) for name in _SDV_LOGGERS]
    disabled = [logger.disabled for logger in loggers]
    for logger in loggers:
        logger.disabled = True
    try:
        from joblib import parallel_config

        with warnings.catch_warnings(), parallel_config(backend="sequential"):
            _ignore_known_warnings()
            yield
    finally:
        for logger, was in zip(loggers, disabled):
            logger.disabled = was


def _ignore_known_warnings() -> None:
    from sklearn.exceptions import ConvergenceWarning

    # Bayesian GMM (and its k-means start) of a continuous column with few distinct values
    # (rdt's ClusterBasedNormalizer, which CTGAN and TVAE use).
    warnings.filterwarnings("ignore", category=ConvergenceWarning, module=r"sklearn\.(mixture|cluster)")
    # Maximum-likelihood fits of univariate marginals (copulas, scipy.stats) on edge-case columns.
    warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"(scipy|copulas)(\.|$)")
    # SDV's advice to save metadata to JSON (ours is rebuilt from the schema every time).
    warnings.filterwarnings("ignore", message=r"We strongly recommend saving the metadata", category=UserWarning)


# -- GaussianCopula -----------------------------------------------------------------


@dataclass(frozen=True)
class GaussianCopulaConfig:
    """SDV GaussianCopulaSynthesizer settings (SDV's defaults in both profiles).

    A Gaussian copula has no training length: its fit is one pass of
    marginal fits and a correlation estimate (about 10 s of CPU on 5,400 rows
    of mimic3-sim), so ``quick`` and ``paper`` are the same.

    Attributes:
        default_distribution: Marginal family for every numerical column
            (SDV's default ``beta``).
        enforce_min_max_values: Clip to the training rows' observed min/max
            (reads private rows; see the module docstring).
        enforce_rounding: Round to the training rows' observed decimals.
    """

    default_distribution: str = "beta"
    enforce_min_max_values: bool = True
    enforce_rounding: bool = True


class SDVGaussianCopula(SDVReference):
    """SDV's GaussianCopulaSynthesizer: per-column marginals plus a Gaussian
    copula of their correlations. Not DP; see the module docstring."""

    name = "gaussian-copula"
    display_name = "SDV GaussianCopula (reference, not DP)"
    sdv_class = "GaussianCopulaSynthesizer"
    profiles = {"quick": GaussianCopulaConfig(), "paper": GaussianCopulaConfig()}

    def sdv_arguments(self, config: GaussianCopulaConfig) -> dict[str, Any]:
        return dict(
            default_distribution=config.default_distribution,
            enforce_min_max_values=config.enforce_min_max_values,
            enforce_rounding=config.enforce_rounding,
        )


# -- CTGAN and TVAE -------------------------------------------------------------------


class _SDVNeural(SDVReference):
    """CTGAN and TVAE: torch models, trained on ``--device``."""

    tags = replace(SDVReference.tags, uses_device=True)

    def _fit(self, train, *, budget, public):
        import torch

        torch.manual_seed(self.seed_)
        config = self._settings()
        result = super()._fit(train, budget=budget, public=public)
        device = getattr(getattr(self.model_, "_model", None), "_device", None)  # where ctgan really trained
        self.fit_info_ = {"epochs": _epochs(config.epochs), "batch_size": config.batch_size,
                          "device": str(device or self._torch_device())}
        return result

    def sdv_arguments(self, config) -> dict[str, Any]:
        """Every config field is the SDV argument of the same name (SDV trains whole epochs)."""
        values = {k: tuple(v) if isinstance(v, (list, tuple)) else v for k, v in asdict(config).items()}
        return values | dict(epochs=_epochs(config.epochs), verbose=False,
                             **_device_argument(self.sdv_class, self._torch_device().type == "cuda"))


@dataclass(frozen=True)
class CTGANConfig:
    """SDV CTGANSynthesizer settings.

    ``paper`` is SDV's defaults: 300 epochs, batch 500, generator and
    discriminator MLP 256-256, Adam 2e-4, pac 10.

    ``quick`` trains 2 epochs at batch 500 (20 generator steps), chosen by
    the time budget of about 25 s for a fit on mimic3-sim's 5,400 training
    rows on one thread. Most of that budget goes before the first step:
    ctgan's mode-specific normalisation fits a Bayesian Gaussian mixture (10
    components) to each of the 55 continuous columns and transforms them,
    about 18 s of CPU whatever the epochs; an epoch then costs about 2.4 s.
    The quick row is therefore an under-trained CTGAN: it reproduces the
    marginals (training-by-sampling), not reliably the dependence of the
    outcomes on the rest. Measured on a separate tuning cohort (mimic3-sim's model,
    10,000 patients drawn from data seed 7,700,001, so its train split has
    the same 5,400 rows; not the reported cohort; CPU seconds of the
    whole fit, mortality AUC of XGBoost trained on the release / mean JSD):
    2 epochs at batch 500: 25 s, 0.46 / 0.021; batch 100 (five times the
    steps at about the same cost) did no better, 2 epochs 28 s, 0.44 / 0.040
    and 3 epochs 32 s, 0.50 / 0.044; 10 epochs at batch 500: 43 s, 0.52;
    30: 84 s, 0.57; 60: 155 s, 0.70 (GaussianCopula: 10 s, 0.73 / 0.019).
    CTGAN needs the ``paper`` profile (300 epochs: about 12 minutes of CPU
    per fit on one thread, or ``--device cuda``) to be a fair reference.

    Attributes:
        epochs: Passes over the training rows (a fraction rounds up to a whole epoch).
        batch_size: Rows per step (a multiple of ``pac``).
        embedding_dim: Generator noise size.
        generator_dim, discriminator_dim: Hidden layer widths.
        generator_lr, discriminator_lr: Adam learning rates.
        discriminator_steps: Discriminator updates per generator update.
        pac: Records the discriminator sees together (PacGAN).
        enforce_min_max_values, enforce_rounding: As in ``GaussianCopulaConfig``.
    """

    epochs: float = 300
    batch_size: int = 500
    embedding_dim: int = 128
    generator_dim: tuple[int, ...] = (256, 256)
    discriminator_dim: tuple[int, ...] = (256, 256)
    generator_lr: float = 2e-4
    discriminator_lr: float = 2e-4
    discriminator_steps: int = 1
    pac: int = 10
    enforce_min_max_values: bool = True
    enforce_rounding: bool = True


class SDVCTGAN(_SDVNeural):
    """SDV's CTGANSynthesizer: conditional GAN with mode-specific
    normalisation and training-by-sampling. Not DP; see the module docstring."""

    name = "ctgan"
    display_name = "SDV CTGAN (reference, not DP)"
    sdv_class = "CTGANSynthesizer"
    profiles = {"quick": CTGANConfig(epochs=2), "paper": CTGANConfig(), "smoke": CTGANConfig(epochs=1)}


@dataclass(frozen=True)
class TVAEConfig:
    """SDV TVAESynthesizer settings.

    ``paper`` is SDV's defaults: 300 epochs, batch 500, encoder and decoder
    MLP 128-128, embedding 128, loss factor 2.

    ``quick`` trains 10 epochs at batch 50 (1,080 steps, about 37 s of CPU on
    mimic3-sim's 5,400 training rows): the cheapest setting on the tuning
    cohort whose release held any deaths. At batch 500 (110 steps, 25 s: the
    same 18 s of mode-specific normalisation as CTGAN come first, then an epoch
    costs about 0.4 s) the release held no deaths at all (TVAE collapses rare
    binary columns early in training), so the mortality metrics failed with
    "single class". Still too little training for the rare outcome: 1% deaths
    against 10.8% in the data. Measured on the same
    tuning cohort as CTGAN's (data seed 7,700,001, not the reported cohort;
    CPU seconds of the whole fit, share of deaths in the
    release against 10.8% in the data, mortality AUC / mean JSD): 10 epochs
    at batch 500: 25 s, 0%, - / 0.123; at batch 100: 29 s, 0%, 0.50 / 0.079;
    10 epochs at batch 50: 37 s, 1.0%, 0.79 / 0.050; 15 at batch 50: 45 s,
    2.7%, 0.80 / 0.037; 20 at batch 100: 42 s, 0.9%, 0.78 / 0.043; 60 at
    batch 500: 51 s, 2.4%, 0.79 / 0.034. On an eicu-sim-like tuning cohort
    (eicu-sim's model drawn from data seed 7,700,002: 2,268 training rows,
    fewer steps per epoch) even 15 epochs at batch 50 left no deaths.

    Attributes:
        epochs: Passes over the training rows (a fraction rounds up to a whole epoch).
        batch_size: Rows per step.
        embedding_dim: Latent size.
        compress_dims, decompress_dims: Encoder and decoder hidden widths.
        l2scale: Adam weight decay.
        loss_factor: Weight of the reconstruction loss.
        enforce_min_max_values, enforce_rounding: As in ``GaussianCopulaConfig``.
    """

    epochs: float = 300
    batch_size: int = 500
    embedding_dim: int = 128
    compress_dims: tuple[int, ...] = (128, 128)
    decompress_dims: tuple[int, ...] = (128, 128)
    l2scale: float = 1e-5
    loss_factor: float = 2.0
    enforce_min_max_values: bool = True
    enforce_rounding: bool = True


class SDVTVAE(_SDVNeural):
    """SDV's TVAESynthesizer: a variational autoencoder over CTGAN's
    mode-specific encoding. Not DP; see the module docstring."""

    name = "tvae"
    display_name = "SDV TVAE (reference, not DP)"
    sdv_class = "TVAESynthesizer"
    profiles = {"quick": TVAEConfig(epochs=10, batch_size=50), "paper": TVAEConfig(), "smoke": TVAEConfig(epochs=1, batch_size=50)}
