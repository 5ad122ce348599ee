COMMENT
AmpaNmda: deterministic excitatory synapse, AMPA + NMDA double-exponential conductances.

Kinetics (rise/decay 0.3/3 ms AMPA, 2/70 ms NMDA, 0.4 nS peak each, reversal 0 mV) follow
    Beniaguev D, Segev I, London M (2021) Single cortical neurons as deep artificial neural
    networks. Neuron 109:2727-2739.
Mg2+ block of the NMDA conductance, B(v) = 1 / (1 + exp(-0.08 v) [Mg] / 3.57), follows
    Jahr CE, Stevens CF (1990) Voltage dependence of NMDA-activated macroscopic conductances
    predicted by single-channel kinetics. J Neurosci 10:3178-3182.

Written for NeuroDepth from the published equations. Each conductance is the difference of
two exponentials, scaled so that one event of NetCon weight 1 peaks at exactly its gmax.
Release is deterministic (probability 1, no plasticity). State variables are incremented
in NET_RECEIVE, so any number of events per synapse sums linearly, and an event at exactly
t = 0 is handled like any other (no division by an elapsed time). Set gmax_nmda = 0 for the
AMPA-only condition. Requires tau_r < tau_d for both receptors.

Integration: between events each state decays exactly, x(t + dt) = x(t) exp(-dt / tau), the
solution that METHOD cnexp also computes. The four factors exp(-dt / tau) are computed in
INITIAL for the dt then in force, not at every step: four exponentials fewer per synapse and
step (on the L5PC, 1278 synapses, about a tenth less CPU time per simulated second under
CoreNEURON and a sixth under NEURON; benchmarks/simulate.py --engines). Fixed steps only
(no CVODE); a new dt needs a new finitialize.
ENDCOMMENT

NEURON {
    POINT_PROCESS AmpaNmda
    RANGE tau_r_ampa, tau_d_ampa, tau_r_nmda, tau_d_nmda, gmax_ampa, gmax_nmda, e
    RANGE mg, mg_vslope, mg_kd
    RANGE g_ampa, g_nmda, mg_block, i
    NONSPECIFIC_CURRENT i
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
    (mM) = (milli/liter)
}

PARAMETER {
    tau_r_ampa = 0.3 (ms)     : AMPA rise time constant
    tau_d_ampa = 3 (ms)       : AMPA decay time constant
    tau_r_nmda = 2 (ms)       : NMDA rise time constant
    tau_d_nmda = 70 (ms)      : NMDA decay time constant
    gmax_ampa = 0.0004 (uS)   : AMPA peak conductance per unit weight (0.4 nS)
    gmax_nmda = 0.0004 (uS)   : NMDA peak conductance per unit weight (0.4 nS); 0 = AMPA only
    e = 0 (mV)                : reversal potential of both conductances
    mg = 1 (mM)               : extracellular Mg2+ concentration
    mg_vslope = 0.08 (/mV)    : voltage sensitivity of the Mg2+ block
    mg_kd = 3.57 (mM)         : Mg2+ dissociation constant at 0 mV
}

ASSIGNED {
    v (mV)
    i (nA)
    g_ampa (uS)
    g_nmda (uS)
    mg_block (1)
    norm_ampa (1)
    norm_nmda (1)
    decay_dt (ms)          : the step (dt at INITIAL) the factors below are for
    f_rise_ampa (1)        : exp(-dt / tau_r_ampa)
    f_decay_ampa (1)       : exp(-dt / tau_d_ampa)
    f_rise_nmda (1)        : exp(-dt / tau_r_nmda)
    f_decay_nmda (1)       : exp(-dt / tau_d_nmda)
}

STATE {
    rise_ampa (1)
    decay_ampa (1)
    rise_nmda (1)
    decay_nmda (1)
}

INITIAL {
    check_taus(tau_r_ampa, tau_d_ampa)
    check_taus(tau_r_nmda, tau_d_nmda)
    norm_ampa = peak_norm(tau_r_ampa, tau_d_ampa)
    norm_nmda = peak_norm(tau_r_nmda, tau_d_nmda)
    step_factors()
    rise_ampa = 0
    decay_ampa = 0
    rise_nmda = 0
    decay_nmda = 0
}

BREAKPOINT {
    SOLVE decays
    g_ampa = gmax_ampa * (decay_ampa - rise_ampa)
    g_nmda = gmax_nmda * (decay_nmda - rise_nmda)
    mg_block = block(v)
    i = (g_ampa + g_nmda * mg_block) * (v - e)
}

PROCEDURE decays() {
    : exact decay over one step: rise_ampa' = -rise_ampa / tau_r_ampa, and so on
    rise_ampa = rise_ampa * f_rise_ampa
    decay_ampa = decay_ampa * f_decay_ampa
    rise_nmda = rise_nmda * f_rise_nmda
    decay_nmda = decay_nmda * f_decay_nmda
}

PROCEDURE step_factors() {
    decay_dt = dt
    f_rise_ampa = exp(-dt / tau_r_ampa)
    f_decay_ampa = exp(-dt / tau_d_ampa)
    f_rise_nmda = exp(-dt / tau_r_nmda)
    f_decay_nmda = exp(-dt / tau_d_nmda)
}

FUNCTION block(vm (mV)) (1) {
    block = 1 / (1 + exp(-mg_vslope * vm) * mg / mg_kd)
}

FUNCTION peak_norm(tr (ms), td (ms)) (1) {
    : 1 / (exp(-tp/td) - exp(-tp/tr)), tp = time of the peak of exp(-t/td) - exp(-t/tr)
    LOCAL tp
    tp = tr * td / (td - tr) * log(td / tr)
    peak_norm = 1 / (exp(-tp / td) - exp(-tp / tr))
}

PROCEDURE check_taus(tr (ms), td (ms)) {
    if (tr <= 0 || td <= tr) {
VERBATIM
        hoc_execerror("AmpaNmda: need 0 < tau_r < tau_d for each receptor", 0);
ENDVERBATIM
    }
}

NET_RECEIVE(weight (1)) {
    rise_ampa = rise_ampa + weight * norm_ampa
    decay_ampa = decay_ampa + weight * norm_ampa
    rise_nmda = rise_nmda + weight * norm_nmda
    decay_nmda = decay_nmda + weight * norm_nmda
}
