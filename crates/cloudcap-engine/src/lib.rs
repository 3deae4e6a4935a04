//! cloudcap-engine.
