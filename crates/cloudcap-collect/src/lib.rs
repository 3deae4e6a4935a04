//! Provider evidence collectors: the only crate in cloudcap that does network I/O.
//!
//! Codemap: [`http`] is the one configured client (allow-list, signing, timeouts, retries);
//! [`runner`] is the provider-neutral loop (units, bounded thread pool, evidence bookkeeping,
//! `collection.status`); [`sink`] is the narrow interface to the evidence bundle; [`aws`] is the
//! AWS collector. Further providers (Alibaba, Tencent, Huawei) add a [`http::RequestSigner`], an
//! [`allow::AllowList`] and a [`runner::Collector`] and reuse everything else.
//!
//! **Invariant:** a failed call is evidence: it becomes a `collection.status` record with
//! status `error`, never a silent gap. **Invariant:** secrets live only in [`secret::Secret`],
//! whose `Debug`/`Display` print `***`; nothing here serializes credentials.

pub mod allow;
pub mod aws;
pub mod boundary;
pub mod bundle;
pub mod capability;
pub mod clock;
pub mod cn;
pub mod http;
pub mod progress;
mod read;
pub mod runner;
pub mod secret;
pub mod sink;

pub use allow::AllowList;
pub use http::{ErrorClass, HttpClient, HttpConfig};
pub use progress::ProgressMode;
pub use secret::Secret;
pub use sink::{EvidenceSink, MemorySink, ResumeState};
