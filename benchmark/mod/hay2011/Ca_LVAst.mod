COMMENT
Ca_LVAst: low-voltage-activated (T-type) calcium current.

Kinetics: Avery RB, Johnston D (1996) Multiple channel types contribute to the low-voltage-
activated calcium current in hippocampal CA3 pyramidal neurons. J Neurosci 16:5567-5582;
Randall AD, Tsien RW (1997) Contrasting biophysical and pharmacological properties of T-type
and R-type calcium channels. Neuropharmacology 36:879-893.
As used in Hay E, Hill S, Schuermann F, Markram H, Segev I (2011) PLoS Comput Biol 7:e1002107
("Models of neocortical layer 5b pyramidal cells capturing a wide range of dendritic and
perisomatic active properties"; ModelDB 139653).

Written for NeuroDepth from the published equations.

    ica = gCa_LVAstbar * m^2 * h * (v - eca)
    with vs = v + 10 (see below):
    mInf = 1/(1 + exp((vs + 30)/-6))
    mTau = (5 + 20/(1 + exp((vs + 25)/5)))/qt
    hInf = 1/(1 + exp((vs + 80)/6.4))
    hTau = (20 + 50/(1 + exp((vs + 40)/7)))/qt

Voltage shift: the published Hay 2011 mechanism evaluates the curves at v + 10 mV (a 10 mV
hyperpolarising shift, junction-potential convention). Written out in v this is
mInf = 1/(1 + exp((v + 40)/-6)), mTau = (5 + 20/(1 + exp((v + 35)/5)))/qt,
hInf = 1/(1 + exp((v + 90)/6.4)), hTau = (20 + 50/(1 + exp((v + 50)/7)))/qt.

Temperature: qt = 2.3^((34 - 21)/10), computed from the constant 34 degC as in the published
model; `celsius` is NOT used.

Units: v, eca (mV); gCa_LVAstbar, gCa_LVAst (S/cm2); ica (mA/cm2); mTau, hTau (ms);
m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Ca_LVAst
    USEION ca READ eca WRITE ica
    RANGE gCa_LVAstbar, gCa_LVAst, ica
    RANGE mInf, mTau, hInf, hTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gCa_LVAstbar = 0.00001 (S/cm2)   : maximal conductance
}

ASSIGNED {
    v (mV)                 : membrane potential
    eca (mV)               : calcium reversal potential
    ica (mA/cm2)           : calcium current
    gCa_LVAst (S/cm2)      : open conductance
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
    gCa_LVAst = gCa_LVAstbar * m * m * h
    ica = gCa_LVAst * (v - eca)
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
    LOCAL qt, vs
    qt = 2.3^((34 - 21) / 10)   : fixed at 34 degC, independent of celsius
    vs = v + 10                 : published 10 mV shift (junction potential)
    mInf = 1 / (1 + exp((vs + 30) / -6))
    mTau = (5 + 20 / (1 + exp((vs + 25) / 5))) / qt
    hInf = 1 / (1 + exp((vs + 80) / 6.4))
    hTau = (20 + 50 / (1 + exp((vs + 40) / 7))) / qt
}
