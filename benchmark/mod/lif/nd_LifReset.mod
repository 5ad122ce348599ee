COMMENT
LifReset: turns a passive single compartment into a leaky integrate-and-fire neuron.

Model: the leaky integrate-and-fire neuron of
    Lapicque L (1907) Recherches quantitatives sur l'excitation electrique des nerfs traitee
    comme une polarisation. J Physiol Pathol Gen 9:620-635;
    Stein RB (1965) A theoretical analysis of neuronal variability. Biophys J 5:173-194.

The clamp implementation is ours (NeuroDepth). The leak and capacitance come from the
compartment (e.g. the pas mechanism). When v crosses v_thresh upward, this point process
clamps v to v_peak for t_peak, then to v_reset for t_refrac, with a strong clamp current
i = g_clamp * (v - target); outside these phases it injects nothing. Phases are switched by
self-events (net_send) and a WATCH statement, so no interpreter call happens per spike. Each
spike is also emitted as an event (net_event) for a NetCon with this point process as source.

g_clamp = 10 uS gives a clamp time constant of about 1.3 us on a 20 um soma (12.6 pF); with
fixed-step implicit Euler (secondorder = 0, dt = 0.025 ms) v settles on the target within two
steps and stays within I / g_clamp (0.1 mV per nA of other current) of it. Crank-Nicolson
(secondorder = 2) would ring at this stiffness: use the default implicit Euler or CVODE.
ENDCOMMENT

NEURON {
    POINT_PROCESS LifReset
    RANGE v_thresh, v_peak, v_reset, t_peak, t_refrac, g_clamp, phase, i
    NONSPECIFIC_CURRENT i
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    v_thresh = -50 (mV)   : spike threshold (upward crossing)
    v_peak = 20 (mV)      : clamp target during the spike
    v_reset = -65 (mV)    : clamp target during the refractory period
    t_peak = 1 (ms)       : duration of the spike clamp
    t_refrac = 2 (ms)     : duration of the reset clamp, after the spike clamp
    g_clamp = 10 (uS)     : clamp conductance
}

ASSIGNED {
    v (mV)
    i (nA)
    phase (1)             : 0 integrating, 1 spike clamp, 2 reset clamp
}

INITIAL {
    phase = 0
    net_send(0, 1)
}

BREAKPOINT {
    if (phase == 1) {
        i = g_clamp * (v - v_peak)
    } else if (phase == 2) {
        i = g_clamp * (v - v_reset)
    } else {
        i = 0
    }
}

NET_RECEIVE(w) {
    if (flag == 1) {
        : arm the threshold detector once; it fires on every upward crossing
        WATCH (v > v_thresh) 2
    } else if (flag == 2 && phase == 0) {
        phase = 1
        net_event(t)
        net_send(t_peak, 3)
    } else if (flag == 3) {
        phase = 2
        net_send(t_refrac, 4)
    } else if (flag == 4) {
        phase = 0
    }
}
