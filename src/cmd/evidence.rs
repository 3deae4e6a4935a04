//! `cloudcap evidence verify|attest|sign|keygen|export|list|sample|finish`.
//!
//! Exit codes: 0 when the command succeeded (for `verify`: the bundle is intact); 4 for invalid
//! input, which includes a bundle that fails verification (every problem is printed first).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, format_err};
use cloudcap_evidence::{
    Attestation, AttestationResult, Bundle, BundleWriter, Method, SIGNATURE_FILE, SignatureStatus,
    VerifyOptions, VerifyReport,
};
use tabled::{Table, Tabled, settings::Style};

use crate::cmd::common::{CatalogArg, load, open_verified};
use crate::exit::{self, Failure, Outcome};
use crate::out;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Recompute every hash and the Merkle root, validate every record, check the signature.
    ///
    /// Prints every problem; exits 4 if there is any.
    Verify {
        /// Bundle directory or .tar archive.
        bundle: PathBuf,
        /// Trusted public key file (`cloudcap evidence keygen` writes one); the bundle must be signed by it.
        #[arg(long, value_name = "FILE")]
        pubkey: Option<PathBuf>,
    },
    /// Record an assessor's finding (interview / examine / test) in a bundle directory.
    Attest(AttestArgs),
    /// Sign a bundle's manifest with an Ed25519 private key (writes manifest.sig).
    Sign {
        /// Bundle directory.
        bundle: PathBuf,
        /// Private key file.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
    },
    /// Generate an Ed25519 key pair: PATH (private, mode 0600) and PATH.pub.
    Keygen {
        /// Where to write the private key; the public key goes to PATH.pub.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
    },
    /// Write a bundle as one deterministic .tar file for hand-over (verifies it first).
    Export {
        /// Bundle directory (or archive).
        bundle: PathBuf,
        /// Archive to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// List a bundle's entries.
    List {
        /// Bundle directory or .tar archive.
        bundle: PathBuf,
        /// Only entries of this kind (e.g. `identity.user`, `raw`, `attestation`).
        #[arg(long)]
        kind: Option<String>,
    },
    /// Print one object of a verified bundle: a raw provider answer, a record, a status, an
    /// attestation or an attachment, byte for byte as stored (reports name objects by hash).
    ///
    /// The whole bundle is verified first; a hash the manifest does not list is invalid input
    /// (exit 4).
    Show {
        /// Bundle directory or .tar archive.
        bundle: PathBuf,
        /// The object's SHA-256 (64 hex digits).
        sha256: String,
        /// Print the object's manifest entry (kind, scope, API action, collection time, media
        /// type, size) as JSON instead of its bytes.
        #[arg(long)]
        meta: bool,
    },
    /// Unpack the sample bundle embedded in the binary.
    Sample {
        /// Directory to create (must not exist or be empty).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Record the scope statement (TOML: the cloud service assessed and what the collected
    /// accounts are) in a bundle directory; the latest one recorded is the report's.
    Scope {
        /// Bundle directory.
        bundle: PathBuf,
        /// Scope file (`service`, optional `description`, `sampling`, `prepared-by`,
        /// `[[account]]` tables with `provider`, `account`, `role`, optional `note`).
        file: PathBuf,
    },
    /// Seal a bundle whose writer was interrupted: write the manifest for everything journaled.
    Finish {
        /// Bundle directory.
        bundle: PathBuf,
    },
}

#[derive(clap::Args)]
struct AttestArgs {
    /// Bundle directory (attestations are added to it; unpack an archive first).
    bundle: PathBuf,
    /// Control id, e.g. `sds-6.1`.
    #[arg(long, required_unless_present = "from", conflicts_with = "from")]
    control: Option<String>,
    /// Requirement item of the control, e.g. `a`.
    #[arg(long, conflicts_with = "from")]
    item: Option<String>,
    /// Assessment method: interview, examine or test.
    #[arg(long, value_parser = parse_method, required_unless_present = "from", conflicts_with = "from")]
    method: Option<Method>,
    /// Result: satisfied, partially-satisfied, not-satisfied or not-applicable.
    #[arg(long, value_parser = parse_result, required_unless_present = "from", conflicts_with = "from")]
    result: Option<AttestationResult>,
    /// Who assessed.
    #[arg(long, required_unless_present = "from", conflicts_with = "from")]
    assessor: Option<String>,
    /// Date of the assessment, YYYY-MM-DD.
    #[arg(long, value_parser = parse_date, required_unless_present = "from", conflicts_with = "from")]
    date: Option<jiff::civil::Date>,
    /// Date after which the finding must be renewed, YYYY-MM-DD.
    #[arg(long, value_parser = parse_date, conflicts_with = "from")]
    expires: Option<jiff::civil::Date>,
    /// Free-text note.
    #[arg(long, conflicts_with = "from")]
    note: Option<String>,
    /// A file (document, screenshot) supporting the finding; repeatable.
    #[arg(long, value_name = "FILE", conflicts_with = "from")]
    attach: Vec<PathBuf>,
    /// A TOML file of `[[attestation]]` tables instead of the flags above.
    #[arg(long, value_name = "FILE.toml")]
    from: Option<PathBuf>,
    #[command(flatten)]
    catalog: CatalogArg,
}

fn parse_method(s: &str) -> Result<Method, String> {
    Method::parse(s)
        .ok_or_else(|| format!("unknown method `{s}`; expected interview, examine or test"))
}

fn parse_result(s: &str) -> Result<AttestationResult, String> {
    AttestationResult::parse(s)
        .ok_or_else(|| format!("unknown result `{s}`; expected satisfied, partially-satisfied, not-satisfied or not-applicable"))
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    cloudcap_evidence::parse_date(s)
}

pub(crate) fn run(args: Args) -> exit::Result {
    match args.command {
        Sub::Verify { bundle, pubkey } => verify(&bundle, pubkey.as_deref()),
        Sub::Attest(a) => attest(a),
        Sub::Sign { bundle, key } => {
            let key = cloudcap_evidence::read_signing_key(&key)?;
            cloudcap_evidence::sign_manifest(&bundle, &key)
                .with_context(|| format!("cannot sign {}", bundle.display()))?;
            let b = Bundle::open(&bundle)?;
            outln!(
                "signed {} (merkle root {}) with key {}",
                bundle.join("manifest.json").display(),
                b.manifest().merkle_root,
                hex(key.verifying_key().as_bytes())
            );
            Ok(Outcome::Success)
        }
        Sub::Keygen { out } => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed)
                .map_err(|e| format_err!("cannot read the OS random source: {e}"))?;
            let key = cloudcap_evidence::signing_key_from_seed(seed);
            let public = cloudcap_evidence::write_key_pair(&out, &key)?;
            outln!("private key: {}", out.display());
            outln!(
                "public key:  {} ({})",
                public.display(),
                hex(key.verifying_key().as_bytes())
            );
            Ok(Outcome::Success)
        }
        Sub::Export { bundle, out } => {
            let report = cloudcap_evidence::verify_path(&bundle, &super::common::verify_options());
            if !report.is_ok() {
                print_problems(&report);
                eprintln!(
                    "not exported: {} fails verification ({} problem(s))",
                    bundle.display(),
                    report.problems.len()
                );
                return Err(Failure::Reported);
            }
            cloudcap_evidence::export_archive(&bundle, &out)?;
            let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
            outln!(
                "wrote {} ({size} bytes, {} entries, merkle root {})",
                out.display(),
                report.entries,
                opt_root(&report)
            );
            Ok(Outcome::Success)
        }
        Sub::List { bundle, kind } => list(&bundle, kind.as_deref()),
        Sub::Show {
            bundle,
            sha256,
            meta,
        } => show(&bundle, &sha256, meta),
        Sub::Sample { out } => {
            cloudcap_evidence::extract_archive(cloudcap_evidence::sample_bundle_tar(), &out)?;
            let b = Bundle::open(&out)?;
            outln!(
                "sample bundle written to {} ({} entries, merkle root {}); try `cloudcap evidence verify {}`",
                out.display(),
                b.manifest().entries.len(),
                b.manifest().merkle_root,
                out.display()
            );
            Ok(Outcome::Success)
        }
        Sub::Scope { bundle, file } => {
            let scope = read_scope_file(&file)?;
            let mut writer = BundleWriter::resume(&bundle)
                .with_context(|| format!("cannot open bundle {}", bundle.display()))?;
            let now = jiff::Timestamp::now();
            let sha = writer.add_scope(
                &scope,
                jiff::Timestamp::from_second(now.as_second()).unwrap_or(now),
            )?;
            let m = writer.finish()?;
            outln!(
                "recorded scope statement {sha} in {} ({} entries, merkle root {})",
                bundle.display(),
                m.entries.len(),
                m.merkle_root
            );
            Ok(Outcome::Success)
        }
        Sub::Finish { bundle } => {
            let m = BundleWriter::resume(&bundle)?.finish()?;
            outln!(
                "sealed {}: {} entries, merkle root {}",
                bundle.display(),
                m.entries.len(),
                m.merkle_root
            );
            Ok(Outcome::Success)
        }
    }
}

/// Reads and checks a scope file; problems are `path:line:col: message`.
pub(crate) fn read_scope_file(path: &Path) -> Result<cloudcap_evidence::ScopeStatement> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read scope file {}", path.display()))?;
    cloudcap_evidence::parse_scope_toml(&text)
        .map_err(|e| format_err!("{}:{}:{}: {}", path.display(), e.line, e.column, e.message))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn opt_root(r: &VerifyReport) -> String {
    r.merkle_root
        .map_or_else(|| "-".to_owned(), |m| m.to_string())
}

fn print_problems(report: &VerifyReport) {
    for p in &report.problems {
        outln!("problem: {p}");
    }
}

fn verify(bundle: &Path, pubkey: Option<&Path>) -> exit::Result {
    let trusted_key = pubkey
        .map(cloudcap_evidence::read_verifying_key)
        .transpose()?;
    let report = cloudcap_evidence::verify_path(
        bundle,
        &VerifyOptions {
            trusted_key,
            ..super::common::verify_options()
        },
    );
    print_problems(&report);
    let signature = match &report.signature {
        SignatureStatus::Unsigned => "unsigned".to_owned(),
        SignatureStatus::SelfConsistent { public_key } => {
            format!(
                "signed by {public_key} (signature valid; pass --pubkey to check it is a key you trust)"
            )
        }
        SignatureStatus::Trusted { public_key } => {
            format!("signed by the trusted key {public_key}")
        }
        SignatureStatus::Invalid => "INVALID".to_owned(),
    };
    let summary = format!(
        "{} entries, {} objects ({} bytes) hashed, {} records validated, merkle root {}, signature: {signature}",
        report.entries,
        report.objects_checked,
        report.bytes_hashed,
        report.records_validated,
        opt_root(&report)
    );
    if report.is_ok() {
        outln!("bundle OK: {summary}");
        Ok(Outcome::Success)
    } else {
        outln!(
            "bundle FAILED verification: {} problem(s); {summary}",
            report.problems.len()
        );
        Err(Failure::Reported)
    }
}

/// Checks an attestation's control, item and method against the catalog; errors are returned,
/// warnings printed.
fn check_against_catalog(
    catalog: &cloudcap_catalog::Catalog,
    a: &Attestation,
) -> Result<(), String> {
    let Some(control) = catalog.control(&a.control) else {
        return Err(format!("no control `{}` in the catalog", a.control));
    };
    if let Some(item) = &a.item {
        if !control.items.iter().any(|i| &i.id == item) {
            let known: Vec<&str> = control.items.iter().map(|i| i.id.as_str()).collect();
            return Err(format!(
                "control `{}` has no item `{item}` (items: {})",
                a.control,
                known.join(", ")
            ));
        }
    }
    if !control
        .methods
        .iter()
        .any(|m| m.as_str() == a.method.as_str())
    {
        let listed: Vec<&str> = control.methods.iter().map(|m| m.as_str()).collect();
        eprintln!(
            "warning: control `{}` lists methods {}; recording `{}` anyway",
            a.control,
            listed.join(", "),
            a.method.as_str()
        );
    }
    Ok(())
}

/// A finding to record, with the files to attach.
struct Pending {
    attestation: Attestation,
    attach: Vec<PathBuf>,
    /// Where it came from, for messages (`FILE:line:col` or `--control`).
    origin: String,
}

fn attest(a: AttestArgs) -> exit::Result {
    if !a.bundle.is_dir() {
        return Err(Failure::Invalid(format_err!(
            "{} is not a bundle directory (attestations are added to a directory; unpack an archive first)",
            a.bundle.display()
        )));
    }
    let pending: Vec<Pending> = match &a.from {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let drafts = match cloudcap_evidence::parse_attestations_toml(&text) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("{}:{e}", file.display());
                    return Err(Failure::Reported);
                }
            };
            let base = file.parent().unwrap_or(Path::new("."));
            drafts
                .into_iter()
                .map(|d| Pending {
                    origin: format!("{}:{}:{}", file.display(), d.line, d.column),
                    attach: d
                        .attach
                        .iter()
                        .map(|p| {
                            if p.is_absolute() {
                                p.clone()
                            } else {
                                base.join(p)
                            }
                        })
                        .collect(),
                    attestation: d.attestation,
                })
                .collect()
        }
        None => {
            let missing = || {
                format_err!(
                    "--control, --method, --result, --assessor and --date are required without --from"
                )
            };
            vec![Pending {
                attestation: Attestation {
                    control: a.control.clone().ok_or_else(missing)?,
                    item: a.item.clone(),
                    method: a.method.ok_or_else(missing)?,
                    result: a.result.ok_or_else(missing)?,
                    assessor: a.assessor.clone().ok_or_else(missing)?,
                    date: a.date.ok_or_else(missing)?,
                    expires: a.expires,
                    note: a.note.clone(),
                    attachments: Vec::new(),
                },
                attach: a.attach.clone(),
                origin: "--control".into(),
            }]
        }
    };

    // Check everything before writing anything.
    let catalog = load(&a.catalog)?;
    let mut errors = 0;
    for p in &pending {
        let checked = p
            .attestation
            .check()
            .and_then(|()| check_against_catalog(&catalog, &p.attestation));
        if let Err(m) = checked {
            eprintln!("{}: {m}", p.origin);
            errors += 1;
        }
        for f in &p.attach {
            if !f.is_file() {
                eprintln!(
                    "{}: attachment {} is not a readable file",
                    p.origin,
                    f.display()
                );
                errors += 1;
            }
        }
    }
    if errors > 0 {
        eprintln!("nothing recorded: {errors} problem(s)");
        return Err(Failure::Reported);
    }

    let was_signed = a.bundle.join(SIGNATURE_FILE).exists();
    let mut writer = BundleWriter::resume(&a.bundle)?;
    for mut p in pending {
        let at = jiff::tz::TimeZone::UTC
            .to_timestamp(
                p.attestation
                    .date
                    .to_datetime(jiff::civil::Time::midnight()),
            )
            .map_err(|e| format_err!("{e}"))?;
        for f in &p.attach {
            let bytes = std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?;
            let name = f
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| format_err!("{} has no usable file name", f.display()))?;
            let sha = writer.add_attachment(name, media_type(f), &bytes, at)?;
            if !p.attestation.attachments.contains(&sha) {
                p.attestation.attachments.push(sha);
            }
        }
        let summary = format!(
            "{}{} ({}, {}, {})",
            p.attestation.control,
            p.attestation
                .item
                .as_deref()
                .map(|i| format!(" item {i}"))
                .unwrap_or_default(),
            p.attestation.method.as_str(),
            p.attestation.result.as_str(),
            p.attestation.date
        );
        let n_attach = p.attestation.attachments.len();
        let sha = writer.add_attestation(p.attestation)?;
        outln!("attested {summary}: object {sha}, {n_attach} attachment(s)");
    }
    let manifest = writer.finish()?;
    outln!(
        "bundle {}: {} entries, merkle root {}",
        a.bundle.display(),
        manifest.entries.len(),
        manifest.merkle_root
    );
    if was_signed && !a.bundle.join(SIGNATURE_FILE).exists() {
        eprintln!(
            "note: the manifest changed, so the old signature was removed; sign again with `cloudcap evidence sign`"
        );
    }
    Ok(Outcome::Success)
}

fn media_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("txt" | "log") => "text/plain",
        Some("md") => "text/markdown",
        Some("csv") => "text/csv",
        Some("json") => "application/json",
        Some("html" | "htm") => "text/html",
        Some("doc") => "application/msword",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("zip") => "application/zip",
        _ => "application/octet-stream",
    }
}

fn show(path: &Path, sha: &str, meta: bool) -> exit::Result {
    let Some(hash) = cloudcap_evidence::Sha256Hex::parse(sha) else {
        return Err(format_err!("`{sha}` is not a SHA-256 (64 lowercase hex digits)").into());
    };
    let bundle = open_verified(path)?;
    let Some(entry) = bundle.entry(&hash) else {
        return Err(format_err!(
            "no object {sha} in the manifest of {}; `cloudcap evidence list` names every object",
            path.display()
        )
        .into());
    };
    if meta {
        let entries: Vec<&cloudcap_evidence::Entry> = bundle
            .manifest()
            .entries
            .iter()
            .filter(|e| e.sha256 == entry.sha256)
            .collect();
        outln!("{}", serde_json::to_string_pretty(&entries)?);
    } else {
        out::write_bytes(&bundle.object_bytes(&hash)?);
    }
    Ok(Outcome::Success)
}

fn list(path: &Path, kind: Option<&str>) -> exit::Result {
    let bundle = Bundle::open_path(path)?;
    #[derive(Tabled)]
    struct Row {
        kind: String,
        scope: String,
        source: String,
        collected_at: String,
        size: u64,
        sha256: String,
        id: String,
    }
    let rows: Vec<Row> = bundle
        .manifest()
        .entries
        .iter()
        .filter(|e| kind.is_none_or(|k| e.kind == k))
        .map(|e| Row {
            kind: e.kind.clone(),
            scope: match (&e.provider, &e.account, &e.region) {
                (Some(p), Some(a), Some(r)) => format!("{p}/{a}/{r}"),
                _ => e.name.clone().unwrap_or_default(),
            },
            source: e.source.clone(),
            collected_at: e.collected_at.to_string(),
            size: e.size,
            sha256: e.sha256.to_string()[..16].to_owned(),
            id: e.id.clone(),
        })
        .collect();
    let n = rows.len();
    outln!("{}", Table::new(rows).with(Style::sharp()));
    let m = bundle.manifest();
    outln!(
        "{n} of {} entries; tool {}, catalog {}, created {}, merkle root {}{}",
        m.entries.len(),
        m.tool_version,
        m.catalog_digest,
        m.created_at,
        m.merkle_root,
        if bundle.signature_bytes().is_some() {
            ", signed"
        } else {
            ""
        }
    );
    Ok(Outcome::Success)
}
