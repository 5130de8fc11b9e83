//! A throw-away PostgreSQL cluster for the operations tests: `initdb` in a
//! temporary folder, TLS with a certificate authority made here, its own
//! port, and stop, start and restart on demand. PostgreSQL refuses to run as
//! root, so under root (as in CI) its programs run as the `postgres` user.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Debian's PostgreSQL server programs.
const BIN: &str = "/usr/lib/postgresql";

pub struct Cluster {
    /// Keeps the folder until the cluster is dropped.
    _dir: tempfile::TempDir,
    data: PathBuf,
    pub port: u16,
    /// The certificate authority that signed the server's certificate.
    pub ca: PathBuf,
    /// Another authority, which signed nothing the server has.
    pub wrong_ca: PathBuf,
    bin: PathBuf,
}

/// The newest installed server version's programs, or why there are none.
fn server_bin() -> Result<PathBuf, String> {
    let mut versions: Vec<u32> = std::fs::read_dir(BIN)
        .map_err(|e| format!("no PostgreSQL server programs in {BIN}: {e}"))?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    versions.sort_unstable();
    let v = versions
        .last()
        .ok_or_else(|| format!("no PostgreSQL server version in {BIN}"))?;
    Ok(Path::new(BIN).join(v.to_string()).join("bin"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL program, as the `postgres` user when we are root.
fn pg(bin: &Path, program: &str, args: &[&str]) -> Output {
    let path = bin.join(program);
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(path);
        c
    } else {
        Command::new(path)
    };
    cmd.args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

fn ok(out: Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    ok(out, &format!("openssl {}", args.join(" ")));
}

/// A certificate authority `name` in `dir`: `name.key`, `name.pem`.
fn authority(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

/// The server's key and a certificate for localhost and 127.0.0.1 signed by `ca`.
fn server_certificate(dir: &Path, ca: &str) {
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .expect("write san.ext");
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.pem",
        ],
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Cluster {
    /// Creates and starts a cluster that accepts only TLS connections on
    /// 127.0.0.1 (trust authentication, user `postgres`).
    pub fn start() -> Self {
        let bin = match server_bin() {
            Ok(b) => b,
            Err(why) => panic!("{why}: install the postgresql package"),
        };
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path().to_path_buf();
        authority(&root, "ca");
        authority(&root, "wrong-ca");
        server_certificate(&root, "ca");
        let data = root.join("data");
        if is_root() {
            let out = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&root)
                .output()
                .expect("chown runs");
            ok(out, "chown");
        }
        std::fs::set_permissions(
            root.join("server.key"),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .expect("key mode");
        let data_s = data.to_str().expect("utf-8 path");
        ok(
            pg(
                &bin,
                "initdb",
                &[
                    "-D",
                    data_s,
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "--no-sync",
                    "-E",
                    "UTF8",
                ],
            ),
            "initdb",
        );
        let port = free_port();
        let conf = format!(
            "port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n\
             ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\nfsync = off\n",
            root.display(),
            root.join("server.pem").display(),
            root.join("server.key").display(),
        );
        let append = |file: &str, text: &str| {
            use std::io::Write as _;
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(data.join(file))
                .expect("open config");
            f.write_all(text.as_bytes()).expect("write config");
        };
        append("postgresql.conf", &conf);
        // TLS or nothing over the network.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 0.0.0.0/0 reject\n",
        )
        .expect("write pg_hba.conf");
        let cluster = Self {
            _dir: dir,
            data,
            port,
            ca: root.join("ca.pem"),
            wrong_ca: root.join("wrong-ca.pem"),
            bin,
        };
        cluster.ctl("start");
        cluster
    }

    fn ctl(&self, what: &str) {
        let log = self.data.join("server.log");
        let out = pg(
            &self.bin,
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().expect("utf-8 path"),
                "-l",
                log.to_str().expect("utf-8 path"),
                "-m",
                "fast",
                "-w",
                what,
            ],
        );
        ok(out, &format!("pg_ctl {what}"));
    }

    /// Stops the server (fast: open connections are cut).
    pub fn stop(&self) {
        self.ctl("stop");
    }

    /// Starts it again on the same port.
    pub fn restart_after_stop(&self) {
        self.ctl("start");
    }

    /// A URL for database `db` over TLS, verifying the server against `ca`.
    pub fn url(&self, db: &str, ca: &Path) -> String {
        format!(
            "postgres://postgres@localhost:{}/{db}?sslmode=verify-full&sslrootcert={}",
            self.port,
            ca.display()
        )
    }

    /// Creates database `name`.
    pub fn create_database(&self, name: &str) {
        let psql = Command::new("psql")
            .arg(format!(
                "host=localhost port={} user=postgres dbname=postgres sslmode=require",
                self.port
            ))
            .args(["-Atc", &format!("CREATE DATABASE {name}")])
            .output()
            .expect("psql runs");
        ok(psql, "create database");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = pg(
            &self.bin,
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().unwrap_or(""),
                "-m",
                "immediate",
                "stop",
            ],
        );
    }
}
