"""Many disputes at once: the joint assignment under capacity and quotas, and scenario sweeps."""
