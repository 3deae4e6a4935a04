//! cloudcap-evidence.
