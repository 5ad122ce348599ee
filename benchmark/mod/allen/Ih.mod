COMMENT
Ih: hyperpolarisation-activated cation current (HCN channels), Allen version.

Kinetics: Kole MHP, Hallermann S, Stuart GJ (2006) Single Ih channels in pyramidal neuron
dendrites: properties, distribution, and impact on action potential output. J Neurosci
26:1677-1687.
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by all Allen families: perisomatic, legacy all-active, and the newer all-active models
of Nandi A et al. (2022) Cell Reports 40:111176 ("Single-neuron models linking
electrophysiology, morphology, and transcriptomics across cortical cell types").

Written for NeuroDepth from the published equations.

    ihcn = gbar * m * (v - ehcn),   ehcn = -45 mV (mixed Na/K reversal)
    mAlpha = 0.001 * 6.43 (v + 154.9)/(exp((v + 154.9)/11.9) - 1)
    mBeta  = 0.001 * 193 exp(v/33.1)
    mInf = mAlpha/(mAlpha + mBeta), mTau = 1/(mAlpha + mBeta)

The same kinetics as the Hay 2011 Ih, with the Allen names (gbar, g).
Within 1e-6 mV of the removable singularity of mAlpha (v = -154.9 mV) the rates are
evaluated at -154.9 + 1e-4 mV.

Temperature: none; the Allen model applies no Q10 factor to this channel.

Units: v, ehcn (mV); gbar, g (S/cm2); ihcn (mA/cm2); mTau (ms); mAlpha, mBeta (1/ms);
m, mInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Ih
    NONSPECIFIC_CURRENT ihcn
    RANGE gbar, g, ihcn, ehcn
    RANGE mInf, mTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.00001 (S/cm2)   : maximal conductance
    ehcn = -45.0 (mV)        : reversal potential of the HCN current
}

ASSIGNED {
    v (mV)                 : membrane potential
    ihcn (mA/cm2)          : HCN current
    g (S/cm2)              : open conductance
    mInf (1)               : activation steady state
    mTau (ms)              : activation time constant
}

STATE {
    m (1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar * m
    ihcn = g * (v - ehcn)
}

DERIVATIVE states {
    rates()
    m' = (mInf - m) / mTau
}

INITIAL {
    rates()
    m = mInf
}

PROCEDURE rates() {
    LOCAL u, mAlpha, mBeta
    u = v
    if (fabs(u + 154.9) < 1e-6) {
        u = -154.9 + 1e-4
    }
    mAlpha = 0.00643 * (u + 154.9) / (exp((u + 154.9) / 11.9) - 1)
    mBeta = 0.193 * exp(u / 33.1)
    mInf = mAlpha / (mAlpha + mBeta)
    mTau = 1 / (mAlpha + mBeta)
}
