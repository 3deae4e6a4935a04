//! `cloudcap completions bash` prints a script that bash loads and that completes the commands
//! and subcommands (the README's instructions); an unknown shell is a usage error (exit 4).

use std::process::Command;

fn complete(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let words_list = words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let cword = words.len() - 1;
    let prev = words[cword.saturating_sub(1)];
    let program = format!(
        "source '{}'; COMP_WORDS=({words_list}); COMP_CWORD={cword}; \
         _cloudcap cloudcap '{}' '{prev}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        words[cword]
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completion_completes_commands_and_subcommands() {
    let out = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("cloudcap.bash");
    std::fs::write(&script, &out.stdout).unwrap();

    let top = complete(&script, &["cloudcap", ""]);
    for word in [
        "collect",
        "assess",
        "report",
        "gate",
        "evidence",
        "completions",
    ] {
        assert!(top.iter().any(|w| w == word), "{word} not in {top:?}");
    }
    assert!(!top.iter().any(|w| w.starts_with("__")), "hidden: {top:?}");
    let collect = complete(&script, &["cloudcap", "collect", ""]);
    for word in ["aws", "alibaba", "tencent", "huawei"] {
        assert!(
            collect.iter().any(|w| w == word),
            "{word} not in {collect:?}"
        );
    }
    let flags = complete(&script, &["cloudcap", "gate", "--"]);
    assert!(flags.iter().any(|w| w == "--bundle"), "{flags:?}");

    let bad = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(4));
}
