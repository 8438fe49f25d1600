//! A real SMTP server on loopback for tests: python3-aiosmtpd with a handler that saves every
//! accepted message as JSON (headers decoded by Python's email package). Shared by
//! tests/mail.rs, tests/fulfilment.rs and tests/e2e_fulfilment.rs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use comptoir_core::mail::{SmtpSecurity, SmtpSettings};
use serde_json::Value;

pub const PYTHON: &str = "/usr/bin/python3";

/// The SMTP server: aiosmtpd with a handler that saves each accepted message as JSON (headers
/// decoded by Python's email package), optional STARTTLS + AUTH, and `--exit-on N` to die
/// abruptly when the Nth message's data arrives (before accepting it). It exits when its stdin
/// closes, so a crashed test leaves no server behind.
const SERVER_PY: &str = r#"
import json, os, ssl, sys, threading, time
import email, email.policy
try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword
except ImportError as e:
    print("python3-aiosmtpd is missing (apt-get install python3-aiosmtpd): %s" % e, file=sys.stderr, flush=True)
    sys.exit(2)

port, out = int(sys.argv[1]), sys.argv[2]
args = sys.argv[3:]
cert = key = user = password = None
wrap = False
plain_auth = False
exit_on = 0
reject = set()
while args:
    a = args.pop(0)
    if a == "--tls":
        cert, key = args.pop(0), args.pop(0)
    elif a == "--auth":
        user, password = args.pop(0), args.pop(0)
    elif a == "--auth-plain":
        user, password, plain_auth = args.pop(0), args.pop(0), True
    elif a == "--tls-wrap":
        cert, key, wrap = args.pop(0), args.pop(0), True
    elif a == "--exit-on":
        exit_on = int(args.pop(0))
    elif a == "--reject":
        reject.add(args.pop(0))

class Saver:
    count = 0
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in reject:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"
    async def handle_DATA(self, server, session, envelope):
        Saver.count += 1
        if Saver.count == exit_on:
            os._exit(3)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = []
        for part in msg.walk():
            if not part.is_multipart():
                parts.append({"content_type": part.get_content_type(), "content": part.get_content()})
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(msg["Subject"]),
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "reply_to": str(msg["Reply-To"]) if msg["Reply-To"] else None,
            "message_id": str(msg["Message-ID"]),
            "content_type": msg.get_content_type(),
            "parts": parts,
        }
        name = os.path.join(out, "%d-%d-%d.json" % (time.time_ns(), os.getpid(), Saver.count))
        with open(name + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(name + ".tmp", name)
        return "250 2.0.0 Message accepted for delivery"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login.decode() == user and auth_data.password.decode() == password)
    return AuthResult(success=ok, handled=False)

kwargs = {}
if cert:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    if wrap:
        kwargs.update(ssl_context=ctx)
    else:
        kwargs.update(tls_context=ctx, require_starttls=True)
if user:
    # aiosmtpd only counts STARTTLS as TLS for AUTH; an implicit-TLS session is encrypted too.
    # `--auth-plain` lets a test log in without TLS (loopback only).
    kwargs.update(authenticator=authenticator, auth_required=True,
                  auth_require_tls=not wrap and not plain_auth)
controller = Controller(Saver(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"#;

/// The shop's email settings for a server on loopback at `port` (no encryption, no login):
/// from `from_name` <boutique@epicerie-lea.fr>, replies to contact@epicerie-lea.fr.
pub fn shop_settings(port: u16, from_name: &str) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        username: None,
        from_name: from_name.into(),
        from_address: "boutique@epicerie-lea.fr".into(),
        reply_to: Some("contact@epicerie-lea.fr".into()),
        accept_invalid_certs: false,
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct SmtpServer {
    pub port: u16,
    dir: PathBuf,
    out: PathBuf,
    child: Option<Child>,
}

impl SmtpServer {
    /// A server on a free port, not started yet.
    pub fn new(dir: &Path) -> Self {
        let out = dir.join("received");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(dir.join("smtp_server.py"), SERVER_PY).unwrap();
        SmtpServer {
            port: free_port(),
            dir: dir.to_owned(),
            out,
            child: None,
        }
    }

    /// Starts the server and waits until it accepts connections. Fails loudly when
    /// python3-aiosmtpd is missing.
    pub fn start(&mut self, args: &[&str]) {
        assert!(self.child.is_none(), "already running");
        let mut child = Command::new(PYTHON)
            .arg(self.dir.join("smtp_server.py"))
            .arg(self.port.to_string())
            .arg(&self.out)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {PYTHON} (needed for the SMTP server): {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if line.trim() != "ready" {
            let _ = child.kill();
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            panic!(
                "the aiosmtpd test server did not start (is python3-aiosmtpd installed?): {err}"
            );
        }
        self.child = Some(child);
    }

    /// Kills the server (as a crash would) and waits for it to be gone.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Waits for a server started with `--exit-on N` to die as planned.
    pub fn wait_exit(&mut self) {
        if let Some(mut child) = self.child.take() {
            let status = child.wait().unwrap();
            assert_eq!(status.code(), Some(3), "the server died as planned");
        }
    }

    /// Every message the server accepted, oldest first.
    pub fn received(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
