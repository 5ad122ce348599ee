COMMENT
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

Integration: backward Euler on the linear scheme, (I - dt A(v)) p(t + dt) = p(t), with A the
generator at the current v: the numerics of NEURON's SOLVE scheme METHOD sparse for this
scheme (one Newton step, exact for a linear system), which this file used before. Ordered by
column, (I - dt A) is block tridiagonal with 2x2 blocks (transitions only within a column and
between neighbouring columns of one row), so PROCEDURE states solves it directly once per time
step (block Thomas algorithm: forward elimination of the 2x2 blocks from column 1 to 6, back
substitution from 6 to 1) instead of NEURON's generic sparse LU of the 12x12 matrix, which
cuts the mechanism's CPU time about sevenfold (225 segments with pas: 8.3 -> 1.5 CPU s per
simulated s at dt 0.025 ms; pas alone 0.43).
Every column of (I - dt A) sums to 1, so the step conserves the sum of the states (= 1) to
rounding (it drifts by less than 1e-12 per simulated s). The eliminations are written
subtraction-free (the column sums of the pivot blocks are carried along instead of being
recomputed by differences, as in the state reduction of INITIAL), so every state, however
small, is accurate to rounding.
tests/data/nav_kinetic/NaV_kinetic.mod keeps the KINETIC form for tests/test_allen_mechanisms.py,
which checks that both give the same trajectories to rounding.
Fixed time step only: NEURON's variable-step integrator (CVode) does not integrate states
advanced by a PROCEDURE, and refuses to run with this mechanism ("NaV cannot be used with
CVODE"). NeuroDepth simulates with a fixed step (only benchmarks/simulate.py's "cvode-<atol>"
comparison setting uses CVode; it cannot run the cells that insert NaV).

Temperature: qt = 2.3^((celsius - 37)/10) (recordings at 37 degC; 0.78 at 34 degC).

Units: v, ena (mV); gbar, g (S/cm2); ina (mA/cm2); Con, Coff, Oon, Ooff, alpha, beta, gamma,
delta (1/ms); x1, x2 (mV); alfac, btfac, exact_start (1); states (1).
ENDCOMMENT

NEURON {
    SUFFIX NaV
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
    SOLVE states
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

PROCEDURE states() {
    : One backward Euler step, (I - dt A) p_new = p_old, of the scheme above: a block Thomas
    : algorithm. Column k holds the top state Ck (O for k = 6) and the bottom state Ik. Rates:
    : fK, fiK forward from column K to K+1 (top, bottom row), gK, giK backward from column K+1
    : to K (f5 = fi5 = ga, g5 = gi5 = de), dK (top -> bottom) and uK (bottom -> top) within
    : column K. With h = dt, the diagonal block of column K is
    :     [ 1 + h (dK + fK + g(K-1))     -h uK                         ]
    :     [ -h dK                        1 + h (uK + fiK + gi(K-1))    ]
    : and the couplings to the neighbouring columns are -h fK, -h gK (top), -h fiK, -h giK
    : (bottom). Forward elimination of columns 1..K-1 turns the block of column K into
    : [pK, -rK; -sK, qK], with inverse [qK, rK; sK, pK] wK, and its right-hand side into
    : (yK, yiK). Every column of (I - dt A) sums to 1; st and sb, the sums of the columns of
    : CK and IK over the rows not yet eliminated, are >= 1 and follow from those of column K-1
    : as sums of positive terms. So pK = sK + xt and qK = rK + xb with xt = st + h fK and
    : xb = sb + h fiK, and the determinant pK qK - rK sK = sK xb + xt rK + xt xb. Only sums,
    : products and quotients of positive numbers occur.
    LOCAL qt, h, a, b, ai, bi, ga, de, af2, bf2, x, xt, xb, st, sb, zt, zb,
        d1, d2, d3, d4, d5, d6, u1, u2, u3, u4, u5, u6,
        r1, r2, r3, r4, r5, r6, s1, s2, s3, s4, s5, s6,
        p1, p2, p3, p4, p5, p6, q1, q2, q3, q4, q5, q6, w1, w2, w3, w4, w5, w6,
        y1, y2, y3, y4, y5, y6, yi1, yi2, yi3, yi4, yi5, yi6
    qt = 2.3^((celsius - 37) / 10)
    h = dt
    a = qt * alpha * exp(v / x1)     : one activation step (per remaining gate)
    b = qt * beta * exp(v / x2)      : one deactivation step (per activated gate)
    ai = a * alfac                   : the same steps in the inactivated row
    bi = b / btfac
    ga = qt * gamma
    de = qt * delta
    af2 = alfac * alfac
    bf2 = btfac * btfac
    d1 = qt * Con
    d2 = d1 * alfac
    d3 = d1 * af2
    d4 = d3 * alfac
    d5 = d3 * af2
    d6 = qt * Oon
    u1 = qt * Coff
    u2 = u1 / btfac
    u3 = u1 / bf2
    u4 = u3 / btfac
    u5 = u3 / bf2
    u6 = qt * Ooff

    : column 1 (C1, I1): column sums 1; f1 = 4a, fi1 = 4ai
    r1 = h * u1
    s1 = h * d1
    y1 = C1
    yi1 = I1
    xt = 1 + h * 4 * a
    xb = 1 + h * 4 * ai
    p1 = s1 + xt
    q1 = r1 + xb
    w1 = 1 / (s1 * xb + xt * r1 + xt * xb)
    : column 2: g1 = b, gi1 = bi; out f2 = 3a, fi2 = 3ai
    st = 1 + h * b * (s1 + q1) * w1
    sb = 1 + h * bi * (r1 + p1) * w1
    r2 = h * u2 + h * h * 4 * a * bi * r1 * w1
    s2 = h * d2 + h * h * 4 * ai * b * s1 * w1
    y2 = C2 + h * 4 * a * (q1 * y1 + r1 * yi1) * w1
    yi2 = I2 + h * 4 * ai * (s1 * y1 + p1 * yi1) * w1
    xt = st + h * 3 * a
    xb = sb + h * 3 * ai
    p2 = s2 + xt
    q2 = r2 + xb
    w2 = 1 / (s2 * xb + xt * r2 + xt * xb)
    : column 3: g2 = 2b, gi2 = 2bi; out f3 = 2a, fi3 = 2ai
    x = st
    st = 1 + h * 2 * b * (s2 * sb + x * q2) * w2
    sb = 1 + h * 2 * bi * (r2 * x + sb * p2) * w2
    r3 = h * u3 + h * h * 3 * a * 2 * bi * r2 * w2
    s3 = h * d3 + h * h * 3 * ai * 2 * b * s2 * w2
    y3 = C3 + h * 3 * a * (q2 * y2 + r2 * yi2) * w2
    yi3 = I3 + h * 3 * ai * (s2 * y2 + p2 * yi2) * w2
    xt = st + h * 2 * a
    xb = sb + h * 2 * ai
    p3 = s3 + xt
    q3 = r3 + xb
    w3 = 1 / (s3 * xb + xt * r3 + xt * xb)
    : column 4: g3 = 3b, gi3 = 3bi; out f4 = a, fi4 = ai
    x = st
    st = 1 + h * 3 * b * (s3 * sb + x * q3) * w3
    sb = 1 + h * 3 * bi * (r3 * x + sb * p3) * w3
    r4 = h * u4 + h * h * 2 * a * 3 * bi * r3 * w3
    s4 = h * d4 + h * h * 2 * ai * 3 * b * s3 * w3
    y4 = C4 + h * 2 * a * (q3 * y3 + r3 * yi3) * w3
    yi4 = I4 + h * 2 * ai * (s3 * y3 + p3 * yi3) * w3
    xt = st + h * a
    xb = sb + h * ai
    p4 = s4 + xt
    q4 = r4 + xb
    w4 = 1 / (s4 * xb + xt * r4 + xt * xb)
    : column 5: g4 = 4b, gi4 = 4bi; out f5 = fi5 = ga
    x = st
    st = 1 + h * 4 * b * (s4 * sb + x * q4) * w4
    sb = 1 + h * 4 * bi * (r4 * x + sb * p4) * w4
    r5 = h * u5 + h * h * a * 4 * bi * r4 * w4
    s5 = h * d5 + h * h * ai * 4 * b * s4 * w4
    y5 = C5 + h * a * (q4 * y4 + r4 * yi4) * w4
    yi5 = I5 + h * ai * (s4 * y4 + p4 * yi4) * w4
    xt = st + h * ga
    xb = sb + h * ga
    p5 = s5 + xt
    q5 = r5 + xb
    w5 = 1 / (s5 * xb + xt * r5 + xt * xb)
    : column 6 (O, I6): g5 = gi5 = de; nothing beyond it
    x = st
    st = 1 + h * de * (s5 * sb + x * q5) * w5
    sb = 1 + h * de * (r5 * x + sb * p5) * w5
    r6 = h * u6 + h * h * ga * de * r5 * w5
    s6 = h * d6 + h * h * ga * de * s5 * w5
    y6 = O + h * ga * (q5 * y5 + r5 * yi5) * w5
    yi6 = I6 + h * ga * (s5 * y5 + p5 * yi5) * w5
    p6 = s6 + st
    q6 = r6 + sb
    w6 = 1 / (s6 * sb + st * r6 + st * sb)

    : back substitution, column 6 to 1 (y, yi hold what the states were needed for)
    O = (q6 * y6 + r6 * yi6) * w6
    I6 = (s6 * y6 + p6 * yi6) * w6
    zt = y5 + h * de * O
    zb = yi5 + h * de * I6
    C5 = (q5 * zt + r5 * zb) * w5
    I5 = (s5 * zt + p5 * zb) * w5
    zt = y4 + h * 4 * b * C5
    zb = yi4 + h * 4 * bi * I5
    C4 = (q4 * zt + r4 * zb) * w4
    I4 = (s4 * zt + p4 * zb) * w4
    zt = y3 + h * 3 * b * C4
    zb = yi3 + h * 3 * bi * I4
    C3 = (q3 * zt + r3 * zb) * w3
    I3 = (s3 * zt + p3 * zb) * w3
    zt = y2 + h * 2 * b * C3
    zb = yi2 + h * 2 * bi * I3
    C2 = (q2 * zt + r2 * zb) * w2
    I2 = (s2 * zt + p2 * zb) * w2
    zt = y1 + h * b * C2
    zb = yi1 + h * bi * I2
    C1 = (q1 * zt + r1 * zb) * w1
    I1 = (s1 * zt + p1 * zb) * w1
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
