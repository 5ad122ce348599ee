COMMENT
K_Tst: fast, transient (A-type) potassium current, in the form used by the newer Allen
all-active models (parameter gbar_K_Tst).

Kinetics: Korngreen A, Sakmann B (2000) Voltage-gated K+ channels in layer 5 neocortical
pyramidal neurones from young rats: subtypes and gradients. J Physiol 525:621-639.
Allen version: Nandi A, Chartrand T, Van Geit W, Buchin A, Yao Z, Lee SY, Wei Y, Kalmbach B,
Lee B, Lein E, Berg J, Sumbul U, Koch C, Tasic B, Anastassiou CA (2022) Single-neuron models
linking electrophysiology, morphology, and transcriptomics across cortical cell types. Cell
Reports 40:111176. Channel set and naming follow Gouwens NW et al. (2018) Nat Commun 9:710
("Systematic generation of biophysically detailed models for diverse cortical neuron types").

Written for NeuroDepth from the published equations.

    ik = gbar * m^4 * h * (v - ek)
    with w = v + 10 (junction-potential shift, as in K_Pst):
    mInf = 1/(1 + exp(-w/19))
    mTau = (0.34 + 0.92 exp(-((w + 71)/59)^2))/qt
    hInf = 1/(1 + exp((w + 66)/10))
    hTau = (8 + 49 exp(-((w + 73)/23)^2))/qt

Differences from benchmark/mod/hay2011/K_Tst.mod: the same kinetics, but the Allen names
(gbar, g). The two catalogues define the same SUFFIX and must never share a process.

Temperature: qt = 2.3^((34 - 21)/10) = 2.95, computed from the constant 34 degC as in the
published model; `celsius` is NOT used.

Units: v, ek (mV); gbar, g (S/cm2); ik (mA/cm2); mTau, hTau (ms); m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX K_Tst
    USEION k READ ek WRITE ik
    RANGE gbar, g, ik
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
    ek (mV)                : potassium reversal potential
    ik (mA/cm2)            : potassium current
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
    g = gbar * m * m * m * m * h
    ik = g * (v - ek)
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
    LOCAL qt, w
    qt = 2.3^((34 - 21) / 10)   : fixed at 34 degC, independent of celsius
    w = v + 10                  : 10 mV junction-potential shift
    mInf = 1 / (1 + exp(-w / 19))
    mTau = (0.34 + 0.92 * exp(-((w + 71) / 59)^2)) / qt
    hInf = 1 / (1 + exp((w + 66) / 10))
    hTau = (8 + 49 * exp(-((w + 73) / 23)^2)) / qt
}
