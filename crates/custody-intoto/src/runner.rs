//! Running a step's command and capturing its byproducts, as in-toto records them:
//! standard output and error (when asked to record streams) and the return value.
//!
//! Captured streams are passed through to our own stdout/stderr as they arrive, so a
//! long build stays visible, and are stored as text the way Python's `universal_newlines`
//! reads them: UTF-8, with `\r\n` and `\r` turned into `\n`.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What running the command produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Byproducts {
    /// Captured standard output (empty unless streams were recorded).
    pub stdout: String,
    /// Captured standard error (empty unless streams were recorded).
    pub stderr: String,
    /// The exit status; a command killed by signal N gives -N, as Python reports it.
    pub return_value: i32,
}

/// Why a command could not be run to the end.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The command line is empty.
    #[error("no command given")]
    Empty,
    /// The program could not be started.
    #[error("cannot run {program:?}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The command ran longer than the timeout and was killed.
    #[error("{program:?} did not finish within {seconds} s and was killed")]
    Timeout {
        /// The program.
        program: String,
        /// The timeout.
        seconds: u64,
    },
    /// Waiting for the command failed.
    #[error("waiting for {program:?}: {source}")]
    Wait {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Run `command` (program and arguments). With `record_streams`, stdout and stderr are
/// captured (and echoed); otherwise they go straight to ours and are recorded as empty.
///
/// # Errors
/// [`RunError`] when the command cannot start, or exceeds `timeout`.
pub fn run(
    command: &[String],
    record_streams: bool,
    timeout: Option<Duration>,
    working_dir: Option<&std::path::Path>,
) -> Result<Byproducts, RunError> {
    let (program, args) = command.split_first().ok_or(RunError::Empty)?;
    let mut cmd = Command::new(program);
    cmd.args(args).stdin(Stdio::inherit());
    if let Some(dir) = working_dir {
        cmd.current_dir(dir);
    }
    if record_streams {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let mut child = cmd.spawn().map_err(|source| RunError::Spawn {
        program: program.clone(),
        source,
    })?;
    let tee = |stream: Option<Box<dyn Read + Send>>, to_stderr: bool| {
        stream.map(|mut s| {
            std::thread::spawn(move || {
                let mut captured = Vec::new();
                let mut buf = [0u8; 8192];
                loop {
                    match s.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            captured.extend_from_slice(&buf[..n]);
                            // Echo failures (a closed terminal) must not lose the capture.
                            let _ = if to_stderr {
                                std::io::stderr().write_all(&buf[..n])
                            } else {
                                std::io::stdout().write_all(&buf[..n])
                            };
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
                captured
            })
        })
    };
    let out = tee(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        false,
    );
    let err = tee(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        true,
    );
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(source) => {
                return Err(RunError::Wait {
                    program: program.clone(),
                    source,
                });
            }
        }
        if let Some(limit) = timeout
            && start.elapsed() > limit
        {
            let _ = child.kill();
            let _ = child.wait();
            return Err(RunError::Timeout {
                program: program.clone(),
                seconds: limit.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let join = |h: Option<std::thread::JoinHandle<Vec<u8>>>| {
        h.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    let stdout = universal_newlines(&join(out));
    let stderr = universal_newlines(&join(err));
    Ok(Byproducts {
        stdout,
        stderr,
        return_value: exit_value(status),
    })
}

fn exit_value(status: std::process::ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(signal) = status.signal() {
            return -signal;
        }
    }
    -1
}

/// Text as Python reads it in universal newlines mode.
fn universal_newlines(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    #[test]
    fn records_streams_and_return_value() {
        let b = run(
            &sh("printf 'out\\r\\n'; printf err >&2; exit 3"),
            true,
            None,
            None,
        )
        .expect("runs");
        assert_eq!(
            b,
            Byproducts {
                stdout: "out\n".into(),
                stderr: "err".into(),
                return_value: 3
            }
        );
        let b = run(&sh("echo hidden; exit 0"), false, None, None).expect("runs");
        assert_eq!(b.stdout, "");
        assert_eq!(b.return_value, 0);
    }

    #[test]
    fn signals_are_negative_and_timeouts_kill() {
        let b = run(&sh("kill -9 $$"), true, None, None).expect("runs");
        assert_eq!(b.return_value, -9);
        let e = run(
            &sh("sleep 5"),
            false,
            Some(Duration::from_millis(100)),
            None,
        )
        .expect_err("times out");
        assert!(matches!(e, RunError::Timeout { .. }));
        let e =
            run(&["/nonexistent/program".to_owned()], false, None, None).expect_err("cannot spawn");
        assert!(e.to_string().contains("/nonexistent/program"));
    }
}
