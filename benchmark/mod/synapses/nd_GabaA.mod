COMMENT
GabaA: deterministic inhibitory synapse, double-exponential GABA_A conductance.

Kinetics (rise 0.2 ms, decay 8 ms, 1 nS peak, reversal -80 mV) follow
    Beniaguev D, Segev I, London M (2021) Single cortical neurons as deep artificial neural
    networks. Neuron 109:2727-2739.

Written for NeuroDepth from the published equations. The conductance is the difference of two
exponentials, scaled so that one event of NetCon weight 1 peaks at exactly gmax. Release is
deterministic. State variables are incremented in NET_RECEIVE, so events sum linearly and an
event at exactly t = 0 is handled like any other. Requires 0 < tau_r < tau_d.

Integration: between events each state decays exactly, x(t + dt) = x(t) exp(-dt / tau), the
solution that METHOD cnexp also computes, with the factors exp(-dt / tau) computed in
INITIAL for the dt then in force instead of at every step. Fixed steps only (no CVODE); a
new dt needs a new finitialize.
ENDCOMMENT

NEURON {
    POINT_PROCESS GabaA
    RANGE tau_r, tau_d, gmax, e, g, i
    NONSPECIFIC_CURRENT i
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau_r = 0.2 (ms)      : rise time constant
    tau_d = 8 (ms)        : decay time constant
    gmax = 0.001 (uS)     : peak conductance per unit weight (1 nS)
    e = -80 (mV)          : reversal potential
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
    norm (1)
    decay_dt (ms)   : the step (dt at INITIAL) the factors below are for
    f_rise (1)      : exp(-dt / tau_r)
    f_decay (1)     : exp(-dt / tau_d)
}

STATE {
    rise (1)
    decay (1)
}

INITIAL {
    if (tau_r <= 0 || tau_d <= tau_r) {
VERBATIM
        hoc_execerror("GabaA: need 0 < tau_r < tau_d", 0);
ENDVERBATIM
    }
    norm = peak_norm(tau_r, tau_d)
    step_factors()
    rise = 0
    decay = 0
}

BREAKPOINT {
    SOLVE decays
    g = gmax * (decay - rise)
    i = g * (v - e)
}

PROCEDURE decays() {
    : exact decay over one step: rise' = -rise / tau_r, decay' = -decay / tau_d
    rise = rise * f_rise
    decay = decay * f_decay
}

PROCEDURE step_factors() {
    decay_dt = dt
    f_rise = exp(-dt / tau_r)
    f_decay = exp(-dt / tau_d)
}

FUNCTION peak_norm(tr (ms), td (ms)) (1) {
    : 1 / (exp(-tp/td) - exp(-tp/tr)), tp = time of the peak of exp(-t/td) - exp(-t/tr)
    LOCAL tp
    tp = tr * td / (td - tr) * log(td / tr)
    peak_norm = 1 / (exp(-tp / td) - exp(-tp / tr))
}

NET_RECEIVE(weight (1)) {
    rise = rise + weight * norm
    decay = decay + weight * norm
}
