COMMENT
NaV_kinetic: TEST REFERENCE ONLY, not part of any catalogue. The KINETIC form of
benchmark/mod/allen/NaV.mod: the same scheme, rates, parameters and initial states (INITIAL,
GLOBAL exact_start and PROCEDUREs distribution_start and equilibrium, as in NaV.mod),
integrated by NEURON's generic `SOLVE scheme METHOD sparse` (backward Euler, one Newton step
with sparse13 LU on the 12x12 system), as NaV.mod was before its hand-written solver. Kept
only so that tests/test_allen_mechanisms.py can check that NaV's block-tridiagonal
backward-Euler solve gives the same trajectories to rounding. It differs from NaV.mod only by
this paragraph, the SUFFIX and the integration (KINETIC scheme where NaV.mod has PROCEDURE
states and its header's paragraph on it).

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

Initial state (INITIAL): as the Allen distribution's NaV.mod sets it, by default
(exact_start = 0). Source read: the NaV.mod of the Allen all-active models as distributed with
the AllenSDK examples (AllenInstitute/AllenSDK, _static/examples/multicell/modfiles/NaV.mod):
its INITIAL solves a hand-written LINEAR block of 12 equations at the initial v, the balance
equations (inflow = outflow) of C1..C5, O and I1..I5, and the sum of the states = 1 in place
of the balance of I6. Eleven are the scheme's; one coefficient differs: its I3 balance takes
the inflow from I4 at the I3 -> C3 rate, r = qt Coff / btfac^2, where the I4 -> I3 rate,
3 b / btfac, belongs (its I4 balance keeps the right out-rate). So the Allen model does not
start at the equilibrium of its scheme, and relaxes towards it after the start: at 34 degC,
-90 mV its initial O is 1.1e-5 instead of 3.9e-7; at -59 mV I6 is 0.378 instead of 0.098 and
the channels available to open (C1..C5 and O) 0.50 instead of 0.84. This file reproduces that
start, as the published models were run with it: from the exact equilibrium at its v_init of
-59 mV, allen_human_h16_1606013050101 fires a spike (peak at 2.5 ms) after finitialize with no
input; from this start it peaks at -58.7 mV and stays silent, as the Allen original does.
PROCEDURE distribution_start solves the 12 equations exactly: they are the balance equations,
except at I6, of the scheme with the I4 -> I3 rate r and a killing rate k = 3 b / btfac - r at
I4 (the rest of I4's out-rate leaves the system; k > 0 below 37.6 mV at any temperature).
State reduction (Grassmann WK, Taksar MI, Heyman DP (1985) Oper Res 33:1107-1116) with the
killing rates carried along, from the closed end (C1, I1, C2, ..., I5, O), so that I6, whose
balance is left out, remains; back substitution from I6 = 1, then normalisation. Besides k
itself, only sums, products and quotients of positive numbers occur while k > 0 (above
37.6 mV, k < 0 and the out-rate sums that carry it subtract; a cell's v_init lies far below).
Measured against a 50-digit solution of the 12 equations (-155..50 mV, 6.3..34 degC): every
state to 2.2e-15 relative.
exact_start = 1 (GLOBAL) starts at the exact equilibrium of the scheme instead (PROCEDURE
equilibrium: the same state reduction, from the open end, of the scheme itself; also
subtraction-free). NEURON's SOLVE ... STEADYSTATE sparse is thread safe but only approximate
(absolute errors ~1e-10, e.g. O wrong by a factor ~100 at -155 mV), and a LINEAR block, as the
Allen file uses, is exact but not thread safe.

Temperature: qt = 2.3^((celsius - 37)/10) (recordings at 37 degC; 0.78 at 34 degC).

Units: v, ena (mV); gbar, g (S/cm2); ina (mA/cm2); Con, Coff, Oon, Ooff, alpha, beta, gamma,
delta (1/ms); x1, x2 (mV); alfac, btfac, exact_start (1); states (1).
ENDCOMMENT

NEURON {
    SUFFIX NaV_kinetic
    USEION na READ ena WRITE ina
    RANGE gbar, g, ina
    GLOBAL Con, Coff, Oon, Ooff, alpha, beta, gamma, delta, alfac, btfac, x1, x2, exact_start
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
    exact_start = 0 (1)    : 0: the Allen distribution's initial state; 1: exact equilibrium
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
    if (exact_start == 0) {
        distribution_start()
    } else {
        equilibrium()
    }
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

PROCEDURE distribution_start() {
    : The initial state of the Allen distribution (see the header): the states whose balance
    : equations hold, except at I6, in the scheme with the I4 -> I3 rate r and the killing rate
    : k at I4. State reduction with killing, from the closed end: CK, then IK, column by column
    : (K = 1..5), then O. Removing CK adds the path IK -> CK -> C(K+1) (rate yK) and
    : C(K+1) -> CK -> IK (rate zK); removing IK then adds C(K+1) -> IK -> I(K+1) to the down
    : rate d of column K+1 and I(K+1) -> IK -> C(K+1) to its up rate u. stK and sbK are the
    : out-rate sums of CK and IK when removed: the effective rates to the states that remain
    : plus the killing rate, kt (top) or kb (bottom), which the states gain through paths that
    : end in the killing at I4. Besides k, only sums, products and quotients of positive numbers
    : occur while k > 0 (v < 37.6 mV).
    LOCAL qt, a, b, ai, bi, ga, de, r, kt, kb,
        d1, d2, d3, d4, d5, d6, u1, u2, u3, u4, u5, u6,
        st1, st2, st3, st4, st5, sb1, sb2, sb3, sb4, sb5,
        y1, y2, y3, y4, y5, z1, z2, z3, z4, z5,
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
    d6 = qt * Oon
    u1 = qt * Coff
    u2 = u1 / btfac
    u3 = u2 / btfac
    u4 = u3 / btfac
    u5 = u4 / btfac
    u6 = qt * Ooff
    r = u3                           : I4 -> I3 in the distribution's I3 balance

    : column 1: links to column 2: 4a forward, b back (top); 4ai, bi (bottom); no killing
    st1 = d1 + 4 * a
    y1 = u1 * 4 * a / st1
    z1 = b * d1 / st1
    sb1 = 4 * ai + y1
    d2 = d2 + z1 * 4 * ai / sb1
    u2 = u2 + bi * y1 / sb1
    : column 2: links to column 3: 3a, 2b (top); 3ai, 2bi (bottom)
    st2 = d2 + 3 * a
    y2 = u2 * 3 * a / st2
    z2 = 2 * b * d2 / st2
    sb2 = 3 * ai + y2
    d3 = d3 + z2 * 3 * ai / sb2
    u3 = u3 + 2 * bi * y2 / sb2
    : column 3: links to column 4: 2a, 3b (top); 2ai, r (bottom: I4 -> I3 at r)
    st3 = d3 + 2 * a
    y3 = u3 * 2 * a / st3
    z3 = 3 * b * d3 / st3
    sb3 = 2 * ai + y3
    d4 = d4 + z3 * 2 * ai / sb3
    u4 = u4 + r * y3 / sb3
    : column 4: links to column 5: a, 4b (top); ai, 4bi (bottom); I4 is killed at 3 bi - r
    kb = 3 * bi - r
    st4 = d4 + a
    y4 = u4 * a / st4
    z4 = 4 * b * d4 / st4
    sb4 = ai + y4 + kb
    d5 = d5 + z4 * ai / sb4
    u5 = u5 + 4 * bi * y4 / sb4
    kt = z4 * kb / sb4               : C5 -> I4 -> killed
    kb = 4 * bi * kb / sb4           : I5 -> I4 -> killed
    : column 5: links to column 6: ga, de (both rows); C5 and I5 are killed at kt, kb
    st5 = d5 + ga + kt
    y5 = u5 * ga / st5
    z5 = de * d5 / st5
    kb = kb + u5 * kt / st5          : I5 -> C5 -> killed
    sb5 = ga + y5 + kb
    d6 = d6 + z5 * ga / sb5
    u6 = u6 + de * y5 / sb5
    kt = de * kt / st5 + z5 * kb / sb5   : O -> C5 -> killed, O -> C5 -> I5 -> killed
    : column 6: O is removed (its out-rate sum: d6 + kt), I6 remains

    : back substitution from I6 = 1, then normalise
    i6 = 1
    o = u6 * i6 / (d6 + kt)
    i5 = (z5 * o + de * i6) / sb5
    c5 = (u5 * i5 + de * o) / st5
    i4 = (z4 * c5 + 4 * bi * i5) / sb4
    c4 = (u4 * i4 + 4 * b * c5) / st4
    i3 = (z3 * c4 + r * i4) / sb3
    c3 = (u3 * i3 + 3 * b * c4) / st3
    i2 = (z2 * c3 + 2 * bi * i3) / sb2
    c2 = (u2 * i2 + 2 * b * c3) / st2
    i1 = (z1 * c2 + bi * i2) / sb1
    c1 = (u1 * i1 + b * c2) / st1
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
