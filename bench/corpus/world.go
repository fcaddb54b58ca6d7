package corpus

// The corpus describes Fernhollow Rail, an invented regional rail operator,
// its engineering teams, the systems they run and the people who write the
// postmortems. Everything here is fiction.

const (
	slackURL = "https://fernhollow.slack.example/archives/"
	jiraURL  = "https://jira.fernhollow.example"
	gitURL   = "https://git.fernhollow.example"
)

// person is an author, responder or action owner. handle is the single
// token used for Markdown @mentions.
type person struct {
	first, last, handle string
}

func (p person) name() string { return p.first + " " + p.last }

// team owns systems; key is its Jira project.
type team struct {
	name, key, slug string
}

// system is a service the incidents happen to. desc is how prose refers to
// it ("the timetable API"), symptoms are title fragments and code holds
// identifiers that show up as inline code.
type system struct {
	name, desc string
	team       int
	symptoms   []string
	code       []string
	host       string
}

var teams = []team{
	{"Platform", "PLAT", "platform"},
	{"Ticketing", "TIX", "ticketing"},
	{"Payments", "PAY", "payments"},
	{"Timetables", "TT", "timetables"},
	{"Mobile", "MOB", "mobile"},
	{"Data", "DATA", "data"},
	{"Identity", "IDN", "identity"},
	{"Stations", "STN", "stations"},
	{"Site Reliability", "OPS", "sre"},
	{"Customer Operations", "CX", "customer-ops"},
}

var systems = []system{
	{"Slate", "the timetable API", 3,
		[]string{"served stale departure times", "returned empty journey plans", "timed out for most journey searches", "dropped platform alterations"},
		[]string{"slate_import", "timetable_version", "stop_patterns.json", "journey_max_legs"}, "slate-api"},
	{"Basalt", "the ticket ledger", 1,
		[]string{"lost ticket sales", "stopped issuing e-tickets", "recorded duplicate ticket sales", "rejected refunds"},
		[]string{"ledger_writer", "ticket_events", "compaction_interval", "sales_daily"}, "basalt-db"},
	{"Garnet", "the fare engine", 2,
		[]string{"priced off-peak journeys at peak fares", "quoted no fares for split tickets", "applied expired railcard discounts", "returned fares in the wrong currency"},
		[]string{"fare_rules_sync", "railcard_table", "peak_hours.yaml", "fare_cache_ttl"}, "garnet"},
	{"Quartz", "the card payments gateway", 2,
		[]string{"double-charged season ticket renewals", "declined valid cards", "timed out during checkout", "stopped settling payments"},
		[]string{"settlement_batch", "acquirer_timeout_ms", "retry_on_decline", "capture_queue"}, "quartz-gw"},
	{"Cobble", "the mobile app backend", 4,
		[]string{"signed app users out repeatedly", "returned errors to the mobile app", "showed other users' tickets", "crashed on launch for Android users"},
		[]string{"session_store", "session_ttl", "app_config.yaml", "min_app_version"}, "cobble-bff"},
	{"Marl", "the passenger notification service", 4,
		[]string{"sent duplicate delay alerts", "dropped push notifications", "sent delay alerts to the wrong line", "stopped sending refund emails"},
		[]string{"push_fanout", "fanout_batch_size", "apns_cert", "alert_dedupe_window"}, "marl-worker"},
	{"Shale", "the data warehouse", 5,
		[]string{"stopped loading ticket sales", "ran out of disk", "published wrong passenger counts", "missed the nightly revenue report"},
		[]string{"nightly_load", "revenue_daily", "load_parallelism", "partition_retention_days"}, "shale-etl"},
	{"Flint", "the customer sign-in service", 6,
		[]string{"refused new sign-ins", "locked out business accounts", "accepted expired passwords", "sent password resets twice"},
		[]string{"jwks_cache", "password_max_age", "token_ttl", "login_attempts"}, "flint-auth"},
	{"Tor", "the edge proxy", 0,
		[]string{"returned 502 errors", "served an expired certificate", "routed traffic to a drained region", "dropped long-lived connections"},
		[]string{"tor.conf", "upstream_keepalive", "drain_regions", "tls_bundle"}, "tor-edge"},
	{"Scree", "the internal message bus", 0,
		[]string{"lost queued messages", "delivered events out of order", "stalled for all consumers", "filled its disks"},
		[]string{"max_inflight", "consumer_lag", "retention.ms", "dead_letter"}, "scree-broker"},
	{"Gneiss", "the departure boards feed", 7,
		[]string{"showed blank departure boards", "showed cancelled trains as on time", "froze station displays", "announced the wrong platforms"},
		[]string{"board_push", "feed_poll_seconds", "display_heartbeat", "platform_map.csv"}, "gneiss-feed"},
	{"Mica", "the ticket gate controller API", 7,
		[]string{"rejected contactless taps", "left ticket gates open", "refused valid barcodes", "lost gate audit records"},
		[]string{"gate_sync", "offline_mode", "tap_window_ms", "barcode_keys"}, "mica-ctl"},
}

var people = []person{
	{"Zoë", "Ashworth", "zashworth"},
	{"Mateus", "Conceição", "mconceicao"},
	{"Søren", "Vestergaard", "svestergaard"},
	{"Aurélie", "Castagnier", "acastagnier"},
	{"Björn", "Håkansson", "bhakansson"},
	{"Łucja", "Wiśniewska", "lwisniewska"},
	{"Ngozi", "Okafor", "nokafor"},
	{"Tomás", "Ó Briain", "tobriain"},
	{"Chloé", "Marchetti", "cmarchetti"},
	{"Kenji", "Watanabe", "kwatanabe"},
	{"Rahel", "Tesfaye", "rtesfaye"},
	{"Solveig", "Øvergaard", "sovergaard"},
	{"Emre", "Yıldız", "eyildiz"},
	{"Inés", "Albarracín", "ialbarracin"},
	{"Pádraig", "Nolan", "pnolan"},
	{"Oluwaseun", "Adeyemi", "oadeyemi"},
	{"Mirela", "Dragomir", "mdragomir"},
	{"Hamish", "Kerr", "hkerr"},
	{"Anjali", "Deshpande", "adeshpande"},
	{"Lan", "Vuong", "lvuong"},
	{"Ruth", "Abernethy", "rabernethy"},
	{"Guillermo", "Peña", "gpena"},
	{"Hélène", "Fournier", "hfournier"},
	{"Marek", "Procházka", "mprochazka"},
	{"Siobhán", "Kealy", "skealy"},
	{"Yusra", "Haddad", "yhaddad"},
	{"Priit", "Tamm", "ptamm"},
	{"Jonas", "Weiß", "jweiss"},
	{"Abebe", "Girma", "agirma"},
	{"Carys", "Pritchard", "cpritchard"},
	{"Felipe", "Araújo", "faraujo"},
	{"Nilüfer", "Demirci", "ndemirci"},
}

var stations = []string{
	"Harrowgate Cross", "Millbeck", "Old Tannery", "Pennick Junction", "Saltmarsh",
	"Wrenfield Parkway", "Cold Ashby", "Lintmoor", "Fenny Quay", "Brockhurst Central",
}

var causes = []string{
	"a certificate expiry", "a configuration push", "a database failover",
	"a schema migration", "a DNS change", "a library upgrade",
	"the clocks going forward", "a node replacement", "two overlapping cron jobs",
	"a cache flush", "a feature flag enabled too widely", "a supplier API change",
	"a full disk", "a network partition", "a connection pool leak",
	"a health check change", "a timetable data import", "a botched rollback",
}

var busyTimes = []string{
	"the morning peak", "the evening peak", "the December timetable change",
	"the season ticket renewal rush", "a planned maintenance window",
	"the Millbeck Show weekend", "a strike day", "the first snow of the winter",
}

var docStatuses = []string{
	"Done", "Done", "Done", "Done", "Done.", "Documenting", "Implementing",
	"In progress", "Resolved", "Complete", "Investigating",
}

var actionStatuses = []string{"Done", "Done", "Open", "Open", "In progress", "Won't do", "TODO"}

var severities = []string{"SEV1", "SEV2", "SEV2", "SEV3", "SEV3", "SEV4"}

var tagWords = []string{
	"deploy", "database", "config", "certificates", "capacity", "supplier",
	"mobile", "payments", "stations", "data-quality", "dns", "monitoring",
}
