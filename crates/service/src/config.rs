//! Configuration: defaults, then `sijian.toml` (or `--config FILE`), then `SIJIAN_…`
//! environment variables (`SIJIAN_LISTEN`, `SIJIAN_SECURITY__MAX_FAILED_LOGINS`, …: a double
//! underscore descends into a section), then command-line flags. Every default is documented in
//! docs/CONFIGURATION.md.
use serde::{Deserialize, Serialize};
use sijian_domain::PasswordPolicy;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address of the web and API listener. Default `127.0.0.1:8080`.
    pub listen: String,
    /// Address of the Prometheus metrics listener; empty disables it. Default `127.0.0.1:9464`.
    pub metrics_listen: String,
    /// Directory for the embedded database and other files. Default `./data`.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`. Default: `sqlite://<data_dir>/sijian.db`.
    pub database_url: Option<String>,
    /// The address users reach the system at; `https://` turns on secure cookies.
    /// Default `http://127.0.0.1:8080`.
    pub public_url: String,
    /// Apply migrations when serving. Default true; with several nodes, run `sijian migrate` once
    /// and set this to false.
    pub migrate_on_start: bool,
    pub log: LogConfig,
    pub database: DatabaseConfig,
    pub security: SecurityConfig,
    pub licensing: LicensingConfig,
    pub ledger: LedgerConfig,
    pub procedure: ProcedureConfig,
    pub webhooks: WebhooksConfig,
    /// Notifications by SMS and e-mail: the senders and the outbox worker.
    pub notifications: NotificationsConfig,
    pub licences: LicencesConfig,
    /// The CJK font for PDFs (`pdf.font_path`, `pdf.font_index`; default: discovered).
    pub pdf: PdfConfig,
    /// Record linkage (多头、重复鉴定核查): thresholds and the model.
    pub linkage: LinkageConfig,
    /// Several nodes over one database (`cluster.heartbeat_seconds`).
    pub cluster: ClusterConfig,
}

/// Nodes sharing one database (docs/OPERATIONS.md, "Several nodes").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// How often a node records that it is alive and counts the others; a node not seen for
    /// three of these is no longer counted. The public rate limit is shared among the nodes
    /// counted. Default 10 s.
    pub heartbeat_seconds: u64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            heartbeat_seconds: 10,
        }
    }
}

/// Electronic licences (电子证照, GB/T 36904 identifiers). The defaults let the demo run; a
/// deployment sets the codes its licence authority assigned.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LicencesConfig {
    /// 证照类型代码 of the institution licence (defining authority's USCC + 3 digits).
    /// Default `11100000000013338W101`.
    pub institution_type_code: String,
    /// 证照类型代码 of the appraiser certificate. Default `11100000000013338W102`.
    pub appraiser_type_code: String,
    /// 颁发机构代码: the issuing authority's USCC. Default `113300000024820075` (a
    /// demonstration code with valid check characters).
    pub issuer: String,
}

impl Default for LicencesConfig {
    fn default() -> Self {
        LicencesConfig {
            institution_type_code: "11100000000013338W101".into(),
            appraiser_type_code: "11100000000013338W102".into(),
            issuer: "113300000024820075".into(),
        }
    }
}

impl LicencesConfig {
    pub fn scheme(&self) -> anyhow::Result<sijian_domain::elicence::LicenceScheme> {
        sijian_domain::elicence::LicenceScheme::new(
            &self.institution_type_code,
            &self.appraiser_type_code,
            &self.issuer,
        )
        .map_err(|e| anyhow::anyhow!("licences 配置无效：{e}"))
    }
}

/// The appraisal procedure's numbers (`sijian_domain::procedure::Policy`, whose fields document
/// each default and its article), with whole-policy overrides per province (key: the two-digit
/// province code).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProcedureConfig {
    pub default: sijian_domain::procedure::Policy,
    pub provinces: std::collections::BTreeMap<String, sijian_domain::procedure::Policy>,
    /// How often the deadline sweeper runs (alerts, stopped clocks). Default 10 minutes.
    pub sweep_minutes: u64,
}

impl Default for ProcedureConfig {
    fn default() -> Self {
        ProcedureConfig {
            default: Default::default(),
            provinces: Default::default(),
            sweep_minutes: 10,
        }
    }
}

impl ProcedureConfig {
    /// The policy for a case at an institution in `region_path`.
    pub fn for_path(&self, region_path: &str) -> sijian_domain::procedure::Policy {
        let province = region_path.trim_start_matches('/').get(..2).unwrap_or("");
        self.provinces
            .get(province)
            .copied()
            .unwrap_or(self.default)
    }
}

/// Notifications sent outside the application (docs/NOTIFICATIONS.md): which sender carries
/// each channel and how the outbox is worked off.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotificationsConfig {
    /// The sender of text messages: `log` (writes one log line per message) or `off` (nothing
    /// is sent; messages wait in the outbox). Default `log`.
    pub sms_sender: String,
    /// The sender of e-mail: `log` or `off`, as `sms_sender`. Default `log`.
    pub email_sender: String,
    /// How often the worker looks for due messages. Default 1000 ms.
    pub interval_ms: u64,
    /// Wait after the first failed attempt; doubled after each further one. Default 10,000 ms.
    pub backoff_base_ms: u64,
    /// Longest wait between attempts. Default 3,600,000 ms (1 h).
    pub backoff_max_ms: u64,
    /// Attempts before a message is given up (kept with its last error). Default 8.
    pub max_attempts: u32,
    /// Most messages taken per pass. Default 100.
    pub batch_max: u32,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        NotificationsConfig {
            sms_sender: "log".into(),
            email_sender: "log".into(),
            interval_ms: 1000,
            backoff_base_ms: 10_000,
            backoff_max_ms: 3_600_000,
            max_attempts: 8,
            batch_max: 100,
        }
    }
}

impl NotificationsConfig {
    /// The sender names this build knows.
    pub const SENDERS: [&'static str; 2] = ["log", "off"];

    /// Refuses a sender this build does not know.
    pub fn check(&self) -> anyhow::Result<()> {
        for (key, v) in [
            ("notifications.sms_sender", &self.sms_sender),
            ("notifications.email_sender", &self.email_sender),
        ] {
            if !Self::SENDERS.contains(&v.as_str()) {
                anyhow::bail!("{key} = {v:?}：未知的发送方式（可用：log、off）");
            }
        }
        Ok(())
    }
}

/// Delivery of signed notifications to commissioning organs' systems (webhooks; docs/API.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhooksConfig {
    /// How often the worker looks for due notifications. Default 1000 ms.
    pub interval_ms: u64,
    /// Per-request timeout towards an organ's system. Default 5000 ms.
    pub timeout_ms: u64,
    /// Wait after the first failed attempt; doubled after each further one. Default 5000 ms.
    pub backoff_base_ms: u64,
    /// Longest wait between attempts. Default 3,600,000 ms (1 h).
    pub backoff_max_ms: u64,
    /// Attempts before a notification is given up (kept with its last error, not retried).
    /// Default 12.
    pub max_attempts: u32,
    /// Most notifications taken per pass. Default 100.
    pub batch_max: u32,
    /// Skip the address check altogether: any address, loopback and cloud metadata included
    /// (local development only). Default false.
    pub allow_private: bool,
    /// Networks (`10.20.0.0/16`, `fd12:3456::/48`, or one address) whose addresses webhooks may
    /// be sent to although they are private, loopback or otherwise special-purpose (an intranet
    /// deployment). Default empty: only public addresses.
    pub allow_networks: Vec<String>,
    /// Accept plain `http://` addresses (an intranet without TLS). Default false: notifications
    /// go over HTTPS only (issue 14, point 8).
    pub allow_http: bool,
    /// A PEM file of further certificate authorities to trust for HTTPS deliveries (an
    /// organ's own or a government CA), besides the built-in public roots. Default none.
    pub ca_file: Option<PathBuf>,
}

impl WebhooksConfig {
    /// The certificates of `ca_file` as PEM, or none; a file that cannot be read or holds no
    /// certificate stops the start.
    pub fn extra_roots(&self) -> anyhow::Result<Option<Vec<u8>>> {
        let Some(path) = &self.ca_file else {
            return Ok(None);
        };
        let pem = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("webhooks.ca_file {}：无法读取（{e}）", path.display()))?;
        if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
            anyhow::bail!("webhooks.ca_file {}：文件中没有 PEM 证书", path.display());
        }
        Ok(Some(pem))
    }

    /// `allow_networks` parsed; an entry that is not a network stops the start.
    pub fn allowed_networks(&self) -> anyhow::Result<Vec<sijian_domain::netaddr::Network>> {
        self.allow_networks
            .iter()
            .map(|s| {
                sijian_domain::netaddr::Network::parse(s)
                    .map_err(|e| anyhow::anyhow!("webhooks.allow_networks 配置无效：{e}"))
            })
            .collect()
    }
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        WebhooksConfig {
            interval_ms: 1000,
            timeout_ms: 5000,
            backoff_base_ms: 5000,
            backoff_max_ms: 3_600_000,
            max_attempts: 12,
            batch_max: 100,
            allow_private: false,
            allow_networks: Vec::new(),
            allow_http: false,
            ca_file: None,
        }
    }
}

/// The tamper-evident log (docs/LEDGER.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LedgerConfig {
    /// The log's origin line, also its key name: a schema-less URL without spaces or '+'.
    /// Default `sijian.local/ledger`; set it to the public address's host and path.
    pub origin: String,
    /// The log's signing key, `PRIVATE+KEY+<origin>+…` text (or the environment variable
    /// `SIJIAN_LEDGER__SIGNING_KEY`). Default empty: read from `signing_key_file`. Nodes sharing
    /// a database must share it; its public key is recorded in the database and a start with
    /// another key is refused (docs/SECURITY.md, "Keys").
    pub signing_key: String,
    /// Where the signing key is kept when `signing_key` is empty. Default empty:
    /// `<data_dir>/ledger.key`, created on the first start of an empty database only.
    pub signing_key_file: String,
    /// Verifier keys of earlier signing keys, still published so old checkpoints verify.
    pub retired_keys: Vec<String>,
    /// How often the integrator looks for queued entries. Default 200 ms (so an event is in a
    /// signed checkpoint well within a second).
    pub interval_ms: u64,
    /// Most entries integrated in one batch. Default 10,000.
    pub batch_max: usize,
    /// Witnesses asked to cosign each new checkpoint.
    pub witnesses: Vec<WitnessConfig>,
    /// Cosignatures needed before a checkpoint is published. Default: all configured witnesses
    /// (0 when there are none, so checkpoints publish at once).
    pub quorum: Option<usize>,
    /// Per-request timeout towards a witness. Default 5000 ms.
    pub witness_timeout_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessConfig {
    /// The witness's verifier key (type 0x04 cosignature key).
    pub key: String,
    /// Its submission prefix; `add-checkpoint` is appended.
    pub url: String,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        LedgerConfig {
            origin: "sijian.local/ledger".into(),
            signing_key: String::new(),
            signing_key_file: String::new(),
            retired_keys: Vec::new(),
            interval_ms: 200,
            batch_max: sijian_store::ledger::DEFAULT_BATCH_MAX,
            witnesses: Vec::new(),
            quorum: None,
            witness_timeout_ms: 5000,
        }
    }
}

/// Online licensing: statutory periods in working days and review policy
/// (`sijian_domain::licensing::Policy`, whose fields document each default and its source),
/// with whole-policy overrides per province (key: the two-digit province code, e.g. "33").
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LicensingConfig {
    pub default: sijian_domain::licensing::Policy,
    pub provinces: std::collections::BTreeMap<String, sijian_domain::licensing::Policy>,
}

impl LicensingConfig {
    /// The policy that applies to a region path such as `/330000/330100/`.
    pub fn for_path(&self, region_path: &str) -> sijian_domain::licensing::Policy {
        let province = region_path.trim_start_matches('/').get(..2).unwrap_or("");
        self.provinces
            .get(province)
            .copied()
            .unwrap_or(self.default)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`. Default `text`.
    pub format: String,
    /// A tracing filter such as `info` or `sijian_server=debug,info`. Default `info`.
    pub level: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Pool size. Default 8 on SQLite, 16 on PostgreSQL.
    pub max_connections: Option<u32>,
    /// Wait for a pooled connection before answering 503. Default 5000 ms.
    pub acquire_timeout_ms: u64,
    /// SQLite only: wait for the write lock. Default 5000 ms.
    pub busy_timeout_ms: u64,
    /// SQLite only: read-only connections kept for the public verification lookups, which run
    /// on the request's own thread. Default: the number of CPUs; 0 sends them through the pool.
    pub sqlite_readers: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// Force secure cookies on or off; default follows `public_url` (https → on).
    pub cookie_secure: Option<bool>,
    /// A session ends after this much inactivity. Default 120 minutes.
    pub session_idle_minutes: i64,
    /// A session ends this long after sign-in whatever the activity. Default 12 hours.
    pub session_absolute_hours: i64,
    /// Failed sign-ins in a row that lock an account. Default 5.
    pub max_failed_logins: i64,
    /// How long a locked account stays locked. Default 15 minutes.
    pub lockout_minutes: i64,
    /// Failed sign-ins from one address within the window before it is throttled. Default 20.
    pub ip_failure_limit: i64,
    /// The window for the address limit. Default 15 minutes.
    pub ip_window_minutes: i64,
    /// Lifetime of a new API token when none is given. Default 90 days; at most 365.
    pub token_default_days: i64,
    /// Public pages and API: requests a second per client address (an IPv4 address or an IPv6
    /// /64), for the whole cluster: each of n live nodes allows 1/n of it. Default 20.
    pub public_requests_per_second: f64,
    /// Public pages and API: burst allowance per client address, shared the same way. Default 60.
    pub public_burst: f64,
    /// Operations-log rows of refused requests without a signed-in user: at most one per
    /// client address and result within this many seconds (per node); the next row written
    /// counts those left out, so anonymous floods cannot grow the log without bound. 0 writes
    /// every row. Default 60.
    pub anonymous_log_window_seconds: u64,
    /// Proxies whose `X-Forwarded-For` is believed (exact addresses). Default none.
    pub trusted_proxies: Vec<String>,
    /// Master key protecting ID numbers at rest: standard base64 of 32 bytes (or the
    /// environment variable `SIJIAN_SECURITY__DATA_KEY`). Default empty: read from
    /// `data_key_file`. Nodes sharing a database must share it; its fingerprint is recorded in
    /// the database and a start with another key is refused (docs/SECURITY.md, "Keys").
    pub data_key: String,
    /// Where the data key is kept when `data_key` is empty. Default empty: `<data_dir>/data.key`,
    /// created on the first start of an empty database only.
    pub data_key_file: String,
    pub password: PasswordPolicy,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            metrics_listen: "127.0.0.1:9464".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            public_url: "http://127.0.0.1:8080".into(),
            migrate_on_start: true,
            log: LogConfig::default(),
            database: DatabaseConfig::default(),
            security: SecurityConfig::default(),
            licensing: LicensingConfig::default(),
            ledger: LedgerConfig::default(),
            procedure: ProcedureConfig::default(),
            webhooks: WebhooksConfig::default(),
            notifications: NotificationsConfig::default(),
            licences: LicencesConfig::default(),
            pdf: PdfConfig::default(),
            linkage: LinkageConfig::default(),
            cluster: ClusterConfig::default(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: "text".into(),
            level: "info".into(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            max_connections: None,
            acquire_timeout_ms: 5000,
            busy_timeout_ms: 5000,
            sqlite_readers: None,
        }
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            cookie_secure: None,
            session_idle_minutes: 120,
            session_absolute_hours: 12,
            max_failed_logins: 5,
            lockout_minutes: 15,
            ip_failure_limit: 20,
            ip_window_minutes: 15,
            token_default_days: 90,
            public_requests_per_second: 20.0,
            public_burst: 60.0,
            anonymous_log_window_seconds: 60,
            trusted_proxies: Vec::new(),
            data_key: String::new(),
            data_key_file: String::new(),
            password: PasswordPolicy::default(),
        }
    }
}

impl Config {
    /// Reads `file` (or `./sijian.toml` when present) and applies `SIJIAN_…` overrides from `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Config> {
        let mut root = toml::Table::new();
        let path = match file {
            Some(p) => Some(p.to_path_buf()),
            None => Some(PathBuf::from("sijian.toml")).filter(|p| p.exists()),
        };
        if let Some(p) = &path {
            let text = std::fs::read_to_string(p)
                .map_err(|e| anyhow::anyhow!("无法读取配置文件 {}：{e}", p.display()))?;
            root = text
                .parse::<toml::Table>()
                .map_err(|e| anyhow::anyhow!("配置文件 {} 格式错误：{e}", p.display()))?;
        }
        for (k, v) in env {
            let Some(rest) = k.strip_prefix("SIJIAN_") else {
                continue;
            };
            // The command line's password input, not configuration.
            if rest == "PASSWORD" {
                continue;
            }
            let keys: Vec<String> = rest.split("__").map(|s| s.to_lowercase()).collect();
            set_path(&mut root, &keys, parse_env_value(&v));
        }
        let cfg: Config = toml::Value::Table(root)
            .try_into()
            .map_err(|e: toml::de::Error| anyhow::anyhow!("配置无效：{e}"))?;
        Ok(cfg)
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("sijian.db").display()))
    }

    pub fn cookie_secure(&self) -> bool {
        self.security
            .cookie_secure
            .unwrap_or_else(|| self.public_url.starts_with("https://"))
    }

    pub fn pool_settings(&self) -> sijian_store::PoolSettings {
        sijian_store::PoolSettings {
            max_connections: self.database.max_connections,
            acquire_timeout: std::time::Duration::from_millis(self.database.acquire_timeout_ms),
            busy_timeout: std::time::Duration::from_millis(self.database.busy_timeout_ms),
            sqlite_readers: self.database.sqlite_readers,
        }
    }
}

/// Environment values are TOML literals when they parse as one (numbers, booleans, arrays),
/// otherwise plain strings.
fn parse_env_value(v: &str) -> toml::Value {
    format!("x = {v}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("x"))
        .unwrap_or_else(|| toml::Value::String(v.to_string()))
}

fn set_path(t: &mut toml::Table, keys: &[String], v: toml::Value) {
    match keys {
        [] => {}
        [last] => {
            t.insert(last.clone(), v);
        }
        [first, rest @ ..] => {
            let e = t
                .entry(first.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !e.is_table() {
                *e = toml::Value::Table(toml::Table::new());
            }
            if let toml::Value::Table(inner) = e {
                set_path(inner, rest, v);
            }
        }
    }
}

/// `linkage.*` in the configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkageConfig {
    /// Run the checks. Default true.
    pub enabled: bool,
    /// A model file (JSON, as `sijian match dedupe --save-model` writes it, comparing name and
    /// identity number); empty = the bundled model. Default empty.
    pub model: String,
    /// Person matches at or above this are reported (possible). Default 0.5.
    pub possible: f64,
    /// A person match at or above this with the same item is certain. Default 0.99.
    pub certain: f64,
    /// Records at or above this are one person in the index. Default 0.9.
    pub link_threshold: f64,
    /// Institutions within the window that make a volume alert. Default 3.
    pub volume_institutions: usize,
    /// The window, in days either side of receipt. Default 180.
    pub volume_days: i64,
    /// Index keys shared by more records than this are not scored. Default 500.
    pub max_block: usize,
}

impl Default for LinkageConfig {
    fn default() -> Self {
        let t = sijian_linkage::cases::Thresholds::default();
        LinkageConfig {
            enabled: true,
            model: String::new(),
            possible: t.possible,
            certain: t.certain,
            link_threshold: sijian_linkage::index::IndexOptions::default().link_threshold,
            volume_institutions: t.volume_institutions,
            volume_days: t.volume_days,
            max_block: sijian_linkage::index::IndexOptions::default().max_block,
        }
    }
}

impl LinkageConfig {
    pub fn thresholds(&self) -> sijian_linkage::cases::Thresholds {
        sijian_linkage::cases::Thresholds {
            possible: self.possible,
            certain: self.certain,
            volume_institutions: self.volume_institutions,
            volume_days: self.volume_days,
        }
    }
}

/// Where the CJK font comes from: the `[pdf]` section of the configuration.
///
/// An empty `font_path` means "discover" (see the server's font loader); `font_index` selects the face in a
/// TrueType/OpenType collection (`.ttc`) and is 0 for single-font files.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PdfConfig {
    pub font_path: String,
    pub font_index: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_file_and_nested_keys() {
        let dir = std::env::temp_dir().join(format!("sijian-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("sijian.toml");
        std::fs::write(
            &f,
            "listen = \"0.0.0.0:80\"\n[security]\nmax_failed_logins = 3\n",
        )
        .unwrap();
        let cfg = Config::load(
            Some(&f),
            [
                ("SIJIAN_LISTEN".to_string(), "127.0.0.1:9000".to_string()),
                (
                    "SIJIAN_SECURITY__LOCKOUT_MINUTES".to_string(),
                    "30".to_string(),
                ),
                ("SIJIAN_LOG__FORMAT".to_string(), "json".to_string()),
                ("OTHER".to_string(), "x".to_string()),
                ("SIJIAN_PASSWORD".to_string(), "Secret-Pass-1".to_string()),
            ],
        )
        .unwrap();
        assert_eq!(cfg.listen, "127.0.0.1:9000");
        assert_eq!(cfg.security.max_failed_logins, 3);
        assert_eq!(cfg.security.lockout_minutes, 30);
        assert_eq!(cfg.log.format, "json");
        assert_eq!(cfg.security.ip_failure_limit, 20);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let r = Config::load(None, [("SIJIAN_LISTNE".to_string(), "x".to_string())]);
        assert!(r.is_err());
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    /// The documented example configuration parses and states exactly the defaults.
    #[test]
    fn example_file_matches_defaults() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sijian.toml.example");
        let cfg = Config::load(Some(&path), Vec::<(String, String)>::new()).unwrap();
        let a = toml::to_string(&cfg).unwrap();
        let b = toml::to_string(&Config::default()).unwrap();
        assert_eq!(a, b);
    }
}
