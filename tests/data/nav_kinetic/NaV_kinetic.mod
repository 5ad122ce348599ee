COMMENT
NaV_kinetic: TEST REFERENCE ONLY, not part of any catalogue. The KINETIC form of
benchmark/mod/allen/NaV.mod as it was before its hand-written solver: the same scheme, rates,
parameters and INITIAL equilibrium, integrated by NEURON's generic `SOLVE scheme METHOD sparse`
(backward Euler, one Newton step with sparse13 LU on the 12x12 system). Kept only so that
tests/test_allen_mechanisms.py can check that NaV's block-tridiagonal backward-Euler solve gives
the same trajectories to rounding. It differs from that version only by this paragraph and
the SUFFIX.

NaV: transient sodium current as a 12-state Markov (allosteric) kinetic scheme.

Kinetics: Carter BC, Giessel AJ, Sabatini BL, Bean BP (2012) Transient sodium current at
subthreshold voltages: activation by EPSP waveforms. Neuron 75:1081-1093 (mouse CA1 pyramidal
neurons, recorded at 37 degC; scheme of the Raman-Bean / Kuo-Bean allosteric type).
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by the Allen Cell Types Database "Biophysical - all active" models (legacy format).

Written for NeuroDepth from the published equations.

States: closed C1..C5, open O, inactivated I1..I6 (fractions, sum = 1).

    ina = gbar * O * (v - ena)

    with qt = 2.3^((celsius - 37)/10),  a(v) = qt alpha exp(v/x1),  b(v) = qt beta exp(v/x2):

    closed row      C1 <-> C2 <-> C3 <-> C4 <-> C5 <-> O
        forward     4a,    3a,    2a,    a,     qt gamma
        backward    b,     2b,    3b,    4b,    qt delta
    inactivated row I1 <-> I2 <-> I3 <-> I4 <-> I5 <-> I6
        forward     4a alfac, 3a alfac, 2a alfac, a alfac, qt gamma
        backward    b/btfac, 2b/btfac, 3b/btfac, 4b/btfac, qt delta
    columns         Ck <-> Ik  (k = 1..5):  qt Con alfac^(k-1),  qt Coff / btfac^(k-1)
                    O  <-> I6:              qt Oon,              qt Ooff

Every voltage-dependent rate is a single exponential, so the scheme has no singular point.

Steady state: INITIAL sets the states to the exact equilibrium of the scheme at the initial
v (PROCEDURE equilibrium: state reduction of Grassmann WK, Taksar MI, Heyman DP (1985) Oper
Res 33:1107-1116, written out for this ladder-shaped scheme; subtraction-free, so even the
sparsest states are accurate to rounding). NEURON's SOLVE ... STEADYSTATE sparse is thread
safe but only approximate (absolute errors ~1e-10, e.g. O wrong by a factor ~100 at -155 mV),
and a LINEAR block is exact but not thread safe.
Note: the hand-written equilibrium block of the Allen distribution has one wrong coefficient
(its I3 balance uses the I3->C3 rate where the I4->I3 rate belongs), so the Allen model does
not start at equilibrium (e.g. at -90 mV and 34 degC its initial O is 1.1e-5 instead of
3.9e-7) and relaxes towards it after the start; this file starts exactly at equilibrium.

Temperature: qt = 2.3^((celsius - 37)/10) (recordings at 37 degC; 0.78 at 34 degC).

Units: v, ena (mV); gbar, g (S/cm2); ina (mA/cm2); Con, Coff, Oon, Ooff, alpha, beta, gamma,
delta (1/ms); x1, x2 (mV); alfac, btfac (1); states (1).
ENDCOMMENT

NEURON {
    SUFFIX NaV_kinetic
    USEION na READ ena WRITE ina
    RANGE gbar, g, ina
    GLOBAL Con, Coff, Oon, Ooff, alpha, beta, gamma, delta, alfac, btfac, x1, x2
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.015 (S/cm2)   : maximal conductance
    Con = 0.01 (/ms)       : closed -> inactivated, from C1
    Coff = 40 (/ms)        : inactivated -> closed, from I1
    Oon = 8 (/ms)          : open -> inactivated (O -> I6)
    Ooff = 0.05 (/ms)      : inactivated -> open (I6 -> O)
    alpha = 400 (/ms)      : activation step rate at v = 0
    beta = 12 (/ms)        : deactivation step rate at v = 0
    gamma = 250 (/ms)      : last closed -> open
    delta = 60 (/ms)       : open -> last closed
    alfac = 2.51 (1)       : allosteric factor, activation in the inactivated row
    btfac = 5.32 (1)       : allosteric factor, deactivation in the inactivated row
    x1 = 24 (mV)           : e-fold voltage of the activation step rate
    x2 = -24 (mV)          : e-fold voltage of the deactivation step rate
}

ASSIGNED {
    v (mV)                 : membrane potential
    celsius (degC)         : temperature
    ena (mV)               : sodium reversal potential
    ina (mA/cm2)           : sodium current
    g (S/cm2)              : open conductance
}

STATE {
    C1 C2 C3 C4 C5
    O
    I1 I2 I3 I4 I5 I6
}

BREAKPOINT {
    SOLVE scheme METHOD sparse
    g = gbar * O
    ina = g * (v - ena)
}

INITIAL {
    equilibrium()
}

KINETIC scheme {
    LOCAL qt, a, b, ai, bi, kon, koff
    qt = 2.3^((celsius - 37) / 10)
    a = qt * alpha * exp(v / x1)     : one activation step (per remaining gate)
    b = qt * beta * exp(v / x2)      : one deactivation step (per activated gate)
    ai = a * alfac                   : the same steps in the inactivated row
    bi = b / btfac
    kon = qt * Con
    koff = qt * Coff

    ~ C1 <-> C2    (4 * a, b)
    ~ C2 <-> C3    (3 * a, 2 * b)
    ~ C3 <-> C4    (2 * a, 3 * b)
    ~ C4 <-> C5    (a, 4 * b)
    ~ C5 <-> O     (qt * gamma, qt * delta)

    ~ I1 <-> I2    (4 * ai, bi)
    ~ I2 <-> I3    (3 * ai, 2 * bi)
    ~ I3 <-> I4    (2 * ai, 3 * bi)
    ~ I4 <-> I5    (ai, 4 * bi)
    ~ I5 <-> I6    (qt * gamma, qt * delta)

    ~ C1 <-> I1    (kon, koff)
    ~ C2 <-> I2    (kon * alfac, koff / btfac)
    ~ C3 <-> I3    (kon * alfac^2, koff / btfac^2)
    ~ C4 <-> I4    (kon * alfac^3, koff / btfac^3)
    ~ C5 <-> I5    (kon * alfac^4, koff / btfac^4)
    ~ O <-> I6     (qt * Oon, qt * Ooff)

    CONSERVE C1 + C2 + C3 + C4 + C5 + O + I1 + I2 + I3 + I4 + I5 + I6 = 1
}

PROCEDURE equilibrium() {
    : Exact equilibrium by state reduction (Grassmann, Taksar & Heyman 1985): the states are
    : eliminated column by column from the open end, I6, O, I5, C5, ..., I2, C2; each
    : elimination adds the paths through the removed state to the rates between its
    : neighbours. Only sums, products and quotients of positive numbers occur, so every
    : state is accurate to rounding, however small it is. Column k holds Ck (top) and Ik
    : (bottom; O and I6 for k = 6); dK, uK are the effective down (C->I) and up rates of
    : column k, sbK and stK the out-rate sums of Ik and Ck when removed, yK the rate
    : I(k-1) -> Ck gained by removing Ik.
    LOCAL qt, a, b, ai, bi, ga, de, x,
        d1, d2, d3, d4, d5, u1, u2, u3, u4, u5,
        sb2, sb3, sb4, sb5, sb6, st2, st3, st4, st5, st6, y2, y3, y4, y5, y6,
        c1, c2, c3, c4, c5, o, i1, i2, i3, i4, i5, i6, total
    qt = 2.3^((celsius - 37) / 10)
    a = qt * alpha * exp(v / x1)
    b = qt * beta * exp(v / x2)
    ai = a * alfac
    bi = b / btfac
    ga = qt * gamma
    de = qt * delta
    d1 = qt * Con
    d2 = d1 * alfac
    d3 = d2 * alfac
    d4 = d3 * alfac
    d5 = d4 * alfac
    u1 = qt * Coff
    u2 = u1 / btfac
    u3 = u2 / btfac
    u4 = u3 / btfac
    u5 = u4 / btfac

    : column 6 (O, I6): rungs Oon, Ooff; links to column 5: ga forward, de back (both rows)
    sb6 = qt * Ooff + de
    x = qt * Oon * de / sb6
    y6 = ga * qt * Ooff / sb6
    st6 = de + x
    d5 = d5 + ga * x / st6
    u5 = u5 + y6 * de / st6
    : column 5: links to column 4: a forward, 4b back (top); ai, 4bi (bottom)
    sb5 = u5 + 4 * bi
    x = d5 * 4 * bi / sb5
    y5 = ai * u5 / sb5
    st5 = 4 * b + x
    d4 = d4 + a * x / st5
    u4 = u4 + y5 * 4 * b / st5
    : column 4: links to column 3: 2a, 3b (top); 2ai, 3bi (bottom)
    sb4 = u4 + 3 * bi
    x = d4 * 3 * bi / sb4
    y4 = 2 * ai * u4 / sb4
    st4 = 3 * b + x
    d3 = d3 + 2 * a * x / st4
    u3 = u3 + y4 * 3 * b / st4
    : column 3: links to column 2: 3a, 2b (top); 3ai, 2bi (bottom)
    sb3 = u3 + 2 * bi
    x = d3 * 2 * bi / sb3
    y3 = 3 * ai * u3 / sb3
    st3 = 2 * b + x
    d2 = d2 + 3 * a * x / st3
    u2 = u2 + y3 * 2 * b / st3
    : column 2: links to column 1: 4a, b (top); 4ai, bi (bottom)
    sb2 = u2 + bi
    x = d2 * bi / sb2
    y2 = 4 * ai * u2 / sb2
    st2 = b + x
    d1 = d1 + 4 * a * x / st2
    u1 = u1 + y2 * b / st2

    : back substitution from C1 = 1, then normalise
    c1 = 1
    i1 = d1 / u1
    c2 = (4 * a * c1 + y2 * i1) / st2
    i2 = (d2 * c2 + 4 * ai * i1) / sb2
    c3 = (3 * a * c2 + y3 * i2) / st3
    i3 = (d3 * c3 + 3 * ai * i2) / sb3
    c4 = (2 * a * c3 + y4 * i3) / st4
    i4 = (d4 * c4 + 2 * ai * i3) / sb4
    c5 = (a * c4 + y5 * i4) / st5
    i5 = (d5 * c5 + ai * i4) / sb5
    o = (ga * c5 + y6 * i5) / st6
    i6 = (qt * Oon * o + ga * i5) / sb6
    total = c1 + c2 + c3 + c4 + c5 + o + i1 + i2 + i3 + i4 + i5 + i6
    C1 = c1 / total
    C2 = c2 / total
    C3 = c3 / total
    C4 = c4 / total
    C5 = c5 / total
    O = o / total
    I1 = i1 / total
    I2 = i2 / total
    I3 = i3 / total
    I4 = i4 / total
    I5 = i5 / total
    I6 = i6 / total
}
