//! cloudcap-collect.
