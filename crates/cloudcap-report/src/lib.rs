//! cloudcap-report.
