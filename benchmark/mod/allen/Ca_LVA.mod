COMMENT
Ca_LVA: low-voltage-activated (T-type) calcium current, Allen version.

Kinetics: Avery RB, Johnston D (1996) Multiple channel types contribute to the low-voltage-
activated calcium current in hippocampal CA3 pyramidal neurons. J Neurosci 16:5567-5582
(steady states); time constants approximated from the plots of Randall AD, Tsien RW (1997)
Contrasting biophysical and pharmacological properties of T-type and R-type calcium channels.
Neuropharmacology 36:879-893.
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by all Allen families: perisomatic, legacy all-active, and the newer all-active models
of Nandi A et al. (2022) Cell Reports 40:111176 ("Single-neuron models linking
electrophysiology, morphology, and transcriptomics across cortical cell types").

Written for NeuroDepth from the published equations.

    ica = gbar * m^2 * h * (v - eca)
    mInf = 1/(1 + exp(-(v + 40)/6)),    mTau = (5 + 20/(1 + exp((v + 35)/5)))/qt
    hInf = 1/(1 + exp((v + 90)/6.4)),   hTau = (20 + 50/(1 + exp((v + 50)/7)))/qt

The published curves (half points -30, -80, -25, -40 mV) are shifted 10 mV in the
hyperpolarising direction to correct for the junction potential; the numbers above include
that shift. The same kinetics as the Hay 2011 Ca_LVAst, with the Allen names (gbar, g) and a
celsius-dependent qt (the same value as Hay's fixed factor at 34 degC).

Temperature: qt = 2.3^((celsius - 21)/10) (2.95 at 34 degC).

Units: v, eca (mV); gbar, g (S/cm2); ica (mA/cm2); mTau, hTau (ms); m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Ca_LVA
    USEION ca READ eca WRITE ica
    RANGE gbar, g, ica
    RANGE mInf, mTau, hInf, hTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.00001 (S/cm2)   : maximal conductance
}

ASSIGNED {
    v (mV)                 : membrane potential
    celsius (degC)         : temperature
    eca (mV)               : calcium reversal potential
    ica (mA/cm2)           : calcium current
    g (S/cm2)              : open conductance
    mInf (1)               : activation steady state
    mTau (ms)              : activation time constant
    hInf (1)               : inactivation steady state
    hTau (ms)              : inactivation time constant
}

STATE {
    m (1)
    h (1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar * m * m * h
    ica = g * (v - eca)
}

DERIVATIVE states {
    rates()
    m' = (mInf - m) / mTau
    h' = (hInf - h) / hTau
}

INITIAL {
    rates()
    m = mInf
    h = hInf
}

PROCEDURE rates() {
    LOCAL qt
    qt = 2.3^((celsius - 21) / 10)
    mInf = 1 / (1 + exp(-(v + 40) / 6))
    mTau = (5 + 20 / (1 + exp((v + 35) / 5))) / qt
    hInf = 1 / (1 + exp((v + 90) / 6.4))
    hTau = (20 + 50 / (1 + exp((v + 50) / 7))) / qt
}
