//! The provider-neutral collection loop: units of work, a bounded worker pool, and the
//! bookkeeping that turns every call into raw evidence, records and `collection.status`.
//!
//! Concurrency uses plain threads over reqwest's blocking client rather than an async runtime:
//! the work is a few hundred to a few thousand small I/O-bound calls with at most a handful in
//! flight, so a fixed pool of OS threads costs a few MiB, keeps stack traces and Ctrl-C simple,
//! and adds no executor to the dependency tree. Each unit (one service in one region) runs its
//! calls sequentially, so concurrency per service and region is exactly one request in flight,
//! and the pool size bounds concurrency overall (providers throttle per service and region).

use std::{
    collections::{BTreeMap, VecDeque},
    sync::Mutex,
};

use cloudcap_evidence::{Envelope, Provider, Record, Sha256Hex};
use serde_json::{Map, Value, json};

use crate::{
    http::{ApiRequest, ApiResponse, CallError, HttpClient, classify_status},
    progress::Progress,
    sink::{EvidenceSink, RawMeta, ResumeState, STATUS_KIND, SinkError, sha256_hex},
};

/// Maximum failures spelled out in one `collection.status` message.
const MAX_LISTED_FAILURES: usize = 20;

/// One unit of collection work: a service in a region, and the (kind, region) scopes it
/// reports `collection.status` for.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Service name (`iam`).
    pub service: &'static str,
    /// Region the unit runs in (`global` for global services).
    pub region: String,
    /// Every `(kind, region)` the unit reports on.
    pub scopes: Vec<(&'static str, String)>,
}

impl Unit {
    /// `service/region`, for progress lines.
    pub fn name(&self) -> String {
        format!("{}/{}", self.service, self.region)
    }
}

/// A provider's collector. Implementations build [`Unit`]s and fill a [`UnitCtx`] per unit;
/// the runner owns concurrency, resume, progress and evidence writing.
pub trait Collector: Sync {
    /// The provider named in evidence.
    fn provider(&self) -> Provider;
    /// The units to collect, in a sensible order.
    fn units(&self) -> Vec<Unit>;
    /// Collects one unit. Failures go into `ctx` (never returned): the unit always completes.
    fn collect(&self, unit: &Unit, ctx: &mut UnitCtx<'_>);
}

/// Options of one run.
#[derive(Debug)]
pub struct RunOptions<'a> {
    /// Worker threads (units collected in parallel).
    pub concurrency: usize,
    /// What an earlier interrupted run already wrote.
    pub resume: &'a ResumeState,
    /// Account id put in every envelope.
    pub account: &'a str,
}

/// Totals of one run.
#[derive(Debug, Default, Clone)]
pub struct RunSummary {
    /// Units collected now.
    pub units_collected: usize,
    /// Units skipped because an earlier run completed them.
    pub units_skipped: usize,
    /// Resource records written now, per region.
    pub resources_per_region: BTreeMap<String, u64>,
    /// Records of data-bearing kinds ([`crate::sink::DATA_KINDS`]) written now, per region.
    pub data_per_region: BTreeMap<String, u64>,
    /// `collection.status` records with status `error` written now.
    pub error_scopes: usize,
}

/// Runs every unit of `collector` on a bounded pool of threads.
pub fn run(
    collector: &dyn Collector,
    client: &HttpClient,
    sink: &dyn EvidenceSink,
    progress: &Progress,
    options: &RunOptions<'_>,
) -> Result<RunSummary, SinkError> {
    let queue = Mutex::new(collector.units().into_iter().collect::<VecDeque<_>>());
    let summary = Mutex::new(RunSummary::default());
    let first_error: Mutex<Option<SinkError>> = Mutex::new(None);
    let workers = options.concurrency.max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    if first_error.lock().unwrap().is_some() {
                        return;
                    }
                    let Some(unit) = queue.lock().unwrap().pop_front() else {
                        return;
                    };
                    if !unit.scopes.is_empty()
                        && unit
                            .scopes
                            .iter()
                            .all(|(kind, region)| options.resume.has_status(kind, region))
                    {
                        summary.lock().unwrap().units_skipped += 1;
                        progress.unit_done(&unit.name(), 0, 0, true);
                        continue;
                    }
                    let mut ctx = UnitCtx::new(
                        collector.provider(),
                        options.account,
                        &unit.region,
                        client,
                        progress,
                    );
                    for (kind, region) in &unit.scopes {
                        ctx.touch(kind, region);
                    }
                    collector.collect(&unit, &mut ctx);
                    match ctx.flush(sink, options.resume) {
                        Ok(written) => {
                            progress.unit_done(
                                &unit.name(),
                                written.records,
                                written.errors,
                                false,
                            );
                            let mut summary = summary.lock().unwrap();
                            summary.units_collected += 1;
                            summary.error_scopes += written.errors as usize;
                            for (region, n) in written.per_region {
                                *summary.resources_per_region.entry(region).or_default() += n;
                            }
                            for (region, n) in written.data_per_region {
                                *summary.data_per_region.entry(region).or_default() += n;
                            }
                        }
                        Err(err) => {
                            first_error.lock().unwrap().get_or_insert(err);
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(err) = first_error.into_inner().unwrap() {
        return Err(err);
    }
    Ok(summary.into_inner().unwrap())
}

#[derive(Debug, Default)]
struct ScopeState {
    records: u64,
    failures: Vec<(String, CallError)>,
}

struct Written {
    records: u64,
    errors: u64,
    per_region: BTreeMap<String, u64>,
    data_per_region: BTreeMap<String, u64>,
}

/// A fetched answer whose raw bytes are (to be) stored; `sha256` is what records cite.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// HTTP status.
    pub status: u16,
    /// Exact body.
    pub body: Vec<u8>,
    /// SHA-256 of `body`.
    pub sha256: String,
}

/// The per-unit context handed to [`Collector::collect`].
pub struct UnitCtx<'a> {
    provider: Provider,
    account: String,
    region: String,
    client: &'a HttpClient,
    progress: &'a Progress,
    raws: Vec<(RawMeta, Vec<u8>)>,
    records: Vec<Value>,
    scopes: BTreeMap<(&'static str, String), ScopeState>,
}

impl<'a> UnitCtx<'a> {
    fn new(
        provider: Provider,
        account: &'a str,
        region: &str,
        client: &'a HttpClient,
        progress: &'a Progress,
    ) -> UnitCtx<'a> {
        UnitCtx {
            provider,
            account: account.to_owned(),
            region: region.to_owned(),
            client,
            progress,
            raws: Vec::new(),
            records: Vec::new(),
            scopes: BTreeMap::new(),
        }
    }

    /// Account id of this run.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Sets the account id once it is learned (the caller-identity unit); applies to the raw
    /// objects of this unit too.
    pub fn set_account(&mut self, account: &str) {
        self.account = account.to_owned();
    }

    /// Sends a request; any complete answer (whatever its status) is kept as raw evidence.
    pub fn send(&mut self, request: &ApiRequest) -> Result<Fetched, CallError> {
        let result = self.client.send(request);
        self.progress.call();
        let response = result?;
        Ok(self.keep(request, response))
    }

    /// Like [`UnitCtx::send`] but treats every non-2xx status as a failure.
    pub fn send_ok(&mut self, request: &ApiRequest) -> Result<Fetched, CallError> {
        let fetched = self.send(request)?;
        if (200..300).contains(&fetched.status) {
            Ok(fetched)
        } else {
            let response = ApiResponse {
                status: fetched.status,
                request_id: None,
                body: fetched.body,
                attempts: 1,
            };
            Err(classify_status(request, &response))
        }
    }

    fn keep(&mut self, request: &ApiRequest, response: ApiResponse) -> Fetched {
        let sha256 = sha256_hex(&response.body);
        let media_type = match response.body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => "application/xml",
            Some(b'{' | b'[') => "application/json",
            _ => "application/octet-stream",
        };
        let meta = RawMeta {
            provider: self.provider.as_str(),
            account: String::new(),
            service: request.service,
            action: request.action,
            region: self.region.clone(),
            url: request.url.clone(),
            request_body: String::from_utf8_lossy(&request.body).into_owned(),
            http_status: response.status,
            request_id: response.request_id.clone(),
            fetched_at: crate::clock::fetched_at(),
            sha256: sha256.clone(),
            media_type,
        };
        self.raws.push((meta, response.body.clone()));
        Fetched {
            status: response.status,
            body: response.body,
            sha256,
        }
    }

    /// Marks `(kind, region)` as attempted (status `ok` unless a failure is added).
    pub fn touch(&mut self, kind: &'static str, region: &str) {
        self.scopes.entry((kind, region.to_owned())).or_default();
    }

    /// Adds a normalized record of kind `R` in `region`, named `resource_id`, built from the raw
    /// answers `sources` (SHA-256 hex, sorted and de-duplicated here): `build` receives the
    /// envelope and fills in the kind's fields, so the compiler checks every field name and type.
    pub fn put<R: Record>(
        &mut self,
        region: &str,
        resource_id: &str,
        sources: &[&str],
        build: impl FnOnce(Envelope) -> R,
    ) {
        let mut hashes: Vec<Sha256Hex> = sources.iter().filter_map(|s| s.parse().ok()).collect();
        hashes.sort_unstable();
        hashes.dedup();
        let envelope = Envelope::new(
            R::KIND,
            self.provider,
            &self.account,
            region,
            resource_id,
            hashes,
        );
        let record = build(envelope);
        let value = match serde_json::to_value(&record) {
            Ok(value) => value,
            // A record of plain data always serializes; should it not, the scope says so.
            Err(err) => {
                let error = CallError::malformed("-", &format!("record {resource_id}: {err}"));
                return self.fail(R::KIND, region, resource_id, &error);
            }
        };
        self.records.push(value);
        self.scopes
            .entry((R::KIND, region.to_owned()))
            .or_default()
            .records += 1;
        self.progress.resources(1);
    }

    /// Records a failure for `(kind, region)`, naming the resource (`*` for the whole listing).
    pub fn fail(&mut self, kind: &'static str, region: &str, resource: &str, error: &CallError) {
        self.scopes
            .entry((kind, region.to_owned()))
            .or_default()
            .failures
            .push((resource.to_owned(), error.clone()));
        self.progress.error();
    }

    /// Writes raws, then records, then statuses (statuses last: they mark the unit complete).
    fn flush(self, sink: &dyn EvidenceSink, resume: &ResumeState) -> Result<Written, SinkError> {
        for (meta, bytes) in &self.raws {
            let meta = RawMeta {
                account: self.account.clone(),
                ..meta.clone()
            };
            sink.add_raw(&meta, bytes)?;
        }
        let mut per_region = BTreeMap::<String, u64>::new();
        let mut data_per_region = BTreeMap::<String, u64>::new();
        let mut records = 0;
        for record in &self.records {
            let field = |name: &str| record.get(name).and_then(Value::as_str).unwrap_or("");
            let (kind, region, id) = (field("kind"), field("region"), field("resource_id"));
            if resume.has_record(kind, region, id) {
                continue;
            }
            sink.add_record(kind, record)?;
            records += 1;
            if kind != "region.inventory" {
                *per_region.entry(region.to_owned()).or_default() += 1;
            }
            if crate::sink::DATA_KINDS.contains(&kind) {
                *data_per_region.entry(region.to_owned()).or_default() += 1;
            }
        }
        let mut errors = 0;
        for ((kind, region), state) in &self.scopes {
            if resume.has_status(kind, region) {
                continue;
            }
            // `collection.status` objects carry no `schema_version` (evidence crate's schema).
            let mut status = Map::new();
            status.insert("kind".into(), json!(kind));
            status.insert("provider".into(), json!(self.provider));
            status.insert("account".into(), json!(self.account));
            status.insert("region".into(), json!(region));
            status.insert("record_count".into(), json!(state.records));
            if let Some((_, first)) = state.failures.first() {
                errors += 1;
                status.insert("status".into(), json!("error"));
                status.insert("error_class".into(), json!(first.class.as_str()));
                let mut parts: Vec<String> = state
                    .failures
                    .iter()
                    .take(MAX_LISTED_FAILURES)
                    .map(|(resource, err)| format!("{resource}: {err}"))
                    .collect();
                if state.failures.len() > MAX_LISTED_FAILURES {
                    parts.push(format!(
                        "and {} more",
                        state.failures.len() - MAX_LISTED_FAILURES
                    ));
                }
                status.insert(
                    "message".into(),
                    json!(format!(
                        "{} failure(s): {}",
                        state.failures.len(),
                        parts.join("; ")
                    )),
                );
            } else {
                status.insert("status".into(), json!("ok"));
            }
            sink.add_record(STATUS_KIND, &Value::Object(status))?;
        }
        Ok(Written {
            records,
            errors,
            per_region,
            data_per_region,
        })
    }
}
