package corpus

// Sentence templates. Slots in braces are filled by scene.fill: {sys} and
// {sysd} name the affected system, {sys2} and {sys2d} a neighbouring one,
// {team}, {p}, {p2}, {loc}, {symptom}, {cause}, numbers {n}, {pct}, {min},
// a version {ver}, and inline code {code} and {host}.

var summaryBank = []string{
	"{sys}, {sysd}, {symptom} for {min} minutes after {cause}.",
	"Passengers using {sys} noticed the problem first: about {pct}% of requests failed while the on-call engineers looked for the cause.",
	"The incident started with {cause} and spread to {sys2} because {sys2d} retries every failed call three times.",
	"Service was restored by rolling back to the previous release of {sys}, and the underlying fault was fixed the next day.",
	"{team} owned the response; {p} led it and {p2} handled communications with the station teams.",
	"Nothing was lost permanently, but {n} passengers had a worse journey than they should have.",
	"The fault had been latent for weeks and only showed itself under the load of an ordinary weekday.",
	"Monitoring caught the symptom but not the cause, so most of the outage was spent ruling out the usual suspects.",
	"The {loc} station team raised the alarm before any alert fired.",
	"A single setting, {code}, was enough to take {sysd} out of service.",
	"The first sign of trouble was a slow climb in latency that nobody paged on.",
	"Because the fault was intermittent, the first two rollbacks appeared to work and then did not.",
	"{sys2} kept working throughout, which ruled out the shared database early on.",
	"The incident overlapped with {busy}, which made the impact larger than it would otherwise have been.",
	"This is the second incident this year in which {sys} failed in a similar way.",
}

var descriptionBank = []string{
	"Some passengers could not buy or use tickets for part of the day because one of our systems stopped working properly.",
	"When the problem started, our staff at {loc} saw the screens go wrong and phoned the control room.",
	"A routine change made by an engineer had a side effect that nobody expected, and it took a while to find it.",
	"We switched back to the way things were before the change, and the service came back.",
	"Customers who were charged incorrectly have been refunded automatically.",
	"We are changing how these updates are checked so that the same mistake is caught before it reaches passengers.",
	"Station staff handed out paper notices and let passengers through the gates while the systems were down.",
	"The problem affected the app and the website, but not the ticket machines at stations.",
	"Passengers who could not get through the gates were allowed to travel and buy a ticket on the train.",
	"The people who fixed the problem were not the people who usually look after this system, which slowed things down.",
	"Nobody was put at risk; this was about tickets and information, not about trains running safely.",
}

var impactBank = []string{
	"About {n} journey searches failed, roughly {pct}% of the traffic during the incident.",
	"{n} passengers were affected; {pct}% of them retried successfully within ten minutes.",
	"Station staff at {loc} had to wave passengers through the gates for {min} minutes.",
	"Customer Operations received {n} contacts about the incident, five times the usual volume for that hour.",
	"Revenue reporting for the day was delayed by {min} minutes but no sales were lost.",
	"{sys2} was degraded as a side effect because {sys2d} depends on {sys} for every request.",
	"No personal data was exposed and no payments were taken twice.",
	"The mobile app showed an error page to about {pct}% of users who opened it during the incident.",
	"Refunds worth about {n} pounds had to be issued by hand.",
	"Ticket machines kept working, so passengers at staffed stations could still travel.",
	"The app store reviews for the day dropped to an average of two stars.",
	"Staff at {loc} spent most of the incident explaining the problem to queues of passengers.",
	"Delay repay claims rose by {pct}% in the following week.",
}

var triggerBank = []string{
	"Deployment of {sys} {ver}, which included {cause}.",
	"{cause} on {host} during routine maintenance.",
	"A scheduled job changed {code} on every {sys} node at once.",
	"The {sys2} team released a change that sent twice as many requests to {sys} as before.",
	"An automated certificate renewal replaced the bundle that {sys} reads at start-up.",
	"Load during {busy} exceeded anything {sys} had handled since its last capacity review.",
}

var detectionBank = []string{
	"The {sys} error-rate alert paged the {team} on-call {min} minutes after the first failures.",
	"Customer Operations reported a spike in complaints in the incident channel.",
	"The {loc} station manager phoned the control room.",
	"A synthetic check of {sysd} failed three times in a row and opened a ticket, which nobody saw until later.",
	"{p} noticed the dashboard for {sys} going red while reviewing an unrelated change.",
	"The nightly reconciliation between {sys} and {sys2} reported a mismatch of {n} records.",
}

var resolutionBank = []string{
	"{sys} was rolled back to the previous release and the caches were flushed.",
	"The {team} on-call restored {code} to its old value and restarted {host}.",
	"Traffic was shifted to the standby region while {sys} was repaired.",
	"{p} replayed the missing events from the backup queue once {sysd} was healthy again.",
	"The faulty node was removed from the pool and replaced from a clean image.",
	"A hotfix, {sys} {ver}, was deployed after review by two engineers.",
	"Affected customers were refunded by a one-off script run by {p2}.",
	"{p2} confirmed with the {loc} station team that passengers were no longer affected before the incident was closed.",
	"The retry storm from {sys2} was stopped by turning its retries off with a feature flag.",
	"Once {sysd} was stable, the backlog was drained over the following hour without further problems.",
}

var rootCauseBank = []string{
	"{sys} read {code} once at start-up and never noticed that it had changed.",
	"The retry policy of {sys2} multiplied the load on {sys} instead of backing off.",
	"The deployment pipeline does not run the integration tests against production-sized data.",
	"Nothing in our monitoring would have warned us about {cause}.",
	"The runbook for {sys} described a topology that was retired two years ago.",
	"A timeout of {min} seconds on {host} was far longer than the callers' own timeouts.",
	"Ownership of {sysd} was unclear after the last reorganisation, so alerts went to an unused channel.",
	"The capacity plan for {sys} assumed {pct}% less traffic than {busy} actually brings.",
	"Health checks on {sys} passed while the service could not reach its database.",
	"A manual step in the release checklist was skipped because it is easy to forget.",
	"Staging uses a different version of {sys2} than production.",
	"Error budgets for {sys} had been exhausted for a month and nobody was looking at them.",
}

var lessonBank = []string{
	"Alerts should page on what passengers see, not only on what the servers report.",
	"A rollback that takes {min} minutes is too slow for a system on the ticketing path.",
	"The incident channel worked well; decisions were written down as they were made.",
	"We relied on one person's memory of how {sys} fails; that knowledge belongs in the runbook.",
	"Changes to shared configuration need the same review as code changes.",
	"Station teams are part of our monitoring and should have a direct line to the on-call.",
	"Load testing before {busy} would have found this weeks earlier.",
	"Retries without backoff turn a small outage into a large one.",
	"Dashboards for {sys2} showed the problem first; we need to look at dependencies sooner.",
	"Small, frequent releases of {sys} are easier to roll back than the monthly bundle.",
}

var wentWellBank = []string{
	"The rollback of {sys} worked first time.",
	"{p} had the incident channel open within five minutes of the page.",
	"Station staff at {loc} knew the manual fallback and used it straight away.",
	"Customer Operations had a holding statement out in under fifteen minutes.",
}

var wentWrongBank = []string{
	"The alert for {sys} went to a channel that nobody watches at night.",
	"It took {min} minutes to find who owned {sysd}.",
	"Two people made conflicting changes to {host} during the incident.",
	"The status page was updated long after passengers noticed.",
}

var luckyBank = []string{
	"The fault started after {busy} rather than during it.",
	"{p2} happened to be online and knew the history of {code}.",
	"The backup from the night before was complete and recent.",
}

// Timeline templates by phase, in the order an incident runs through them.
var (
	startEvents = []string{
		"{sys} {ver} deployed to production.",
		"{cause} begins on {host}.",
		"Scheduled job starts and rewrites {code} on all nodes.",
		"First errors from {sys} appear in the logs.",
		"Traffic to {sys} rises sharply as {busy} begins.",
	}
	detectEvents = []string{
		"Error-rate alert for {sys} pages the {team} on-call.",
		"{p} acknowledges the page and opens an incident channel.",
		"Customer Operations reports a rise in complaints about {sys}.",
		"{loc} station team phones the control room about {sysd}.",
		"Synthetic check for {sysd} fails three times in a row.",
	}
	investigateEvents = []string{
		"{p} checks the dashboards for {sys}; latency is up {pct}%.",
		"{p2} joins the incident channel and takes over communications.",
		"Recent deploys of {sys2} ruled out as a cause.",
		"Database metrics for {sys} look normal.",
		"Logs on {host} show connection resets to {sys2}.",
		"{p} restarts one {sys} pod as an experiment; no change.",
		"Status page updated: passengers may see errors in the app.",
		"{p2} finds that {code} changed just before the first errors.",
		"Incident escalated to major; the duty manager is informed.",
		"Supplier confirms there is no problem on their side.",
		"Error rate for {sys} reaches {pct}%.",
		"Customer Operations posts a holding message on social media.",
		"{p} compares the configuration of {host} with a healthy node.",
		"Second alert fires, this time for {sys2d}.",
		"{team} lead joins the call.",
		"Capacity dashboards show {sys} at {pct}% of its connection limit.",
		"Packet captures taken on {host} for later analysis.",
		"{p2} asks the {loc} station team to confirm what passengers see.",
		"Feature flags for {sys} reviewed; none changed in the last day.",
		"Decision taken to stop all deploys until the cause is known.",
	}
	mitigateEvents = []string{
		"Rollback of {sys} started.",
		"Traffic shifted to the standby region.",
		"{code} restored to its previous value on all nodes.",
		"{p} restarts {host} with the old configuration.",
		"Retries from {sys2} switched off to shed load.",
	}
	recoverEvents = []string{
		"Error rate for {sys} back under 0.1%.",
		"{loc} station team confirms displays and gates are back to normal.",
		"Backlog of {n} events replayed from the queue.",
		"Monitoring shows {sys} healthy; incident downgraded.",
	}
	closeEvents = []string{
		"Incident closed; postmortem scheduled for the following week.",
		"Status page updated: all services running normally.",
		"Customer Operations briefed on refunds for affected passengers.",
	}
)

// followups are second sentences some timeline entries carry.
var followups = []string{
	"Nothing unusual in the logs.",
	"{p2} agrees and starts writing it down in the incident document.",
	"The graphs show a sharp step at the same minute.",
	"This turns out to be a red herring.",
	"Error rate at this point is {pct}%.",
	"About {n} requests have failed so far.",
	"The {loc} station team confirms passengers are still affected.",
	"No change in the error rate.",
	"{p} posts an update in the incident channel.",
	"The change is reviewed by a second engineer before it goes out.",
	"Customer Operations is told to expect more calls.",
	"The previous incident with {sys} looked similar but had a different cause.",
}

var actionBank = []string{
	"Alert on the passenger-facing error rate of {sys}, not only on host metrics",
	"Make {sys} reload {code} without a restart",
	"Add backoff with jitter to the retries {sys2} makes to {sys}",
	"Run the integration tests against a production-sized copy of the data before each release",
	"Rewrite the {sys} runbook for the current topology",
	"Lower the timeout on {host} below the callers' own timeouts",
	"Route {sys} alerts to the {team} on-call rotation",
	"Load-test {sys} at twice the traffic of {busy}",
	"Make the health check of {sys} test its database connection",
	"Automate the manual step in the release checklist",
	"Bring staging onto the same version of {sys2} as production",
	"Review the error budget of {sys} in the weekly operations meeting",
	"Give the {loc} station team a direct number for the on-call engineer",
	"Add a dashboard panel that shows {sys2} next to {sys}",
	"Write a script that refunds affected passengers automatically",
	"Block changes to {code} outside the release pipeline",
}
