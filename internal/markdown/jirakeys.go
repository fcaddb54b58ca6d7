package markdown

import (
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

func setKeys(it *postmortem.ActionItem, keys []string) {
	seen := map[string]bool{}
	var uniq []string
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			uniq = append(uniq, k)
		}
	}
	if len(uniq) > 0 {
		it.JiraKey = uniq[0]
	}
	if len(uniq) > 1 {
		it.JiraKeys = uniq
	}
}

// jiraKeys finds issue keys in s: keys in /browse/ links first, then bare
// keys. Tokens of the same shape that are not issues (UTF-8, SHA-256,
// CVE ids) are skipped.
func jiraKeys(s string) []string {
	var linked, bare []string
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 'A' || c > 'Z' || (i > 0 && (isLetter(s[i-1]) || isDigit(s[i-1]) || s[i-1] == '-' || s[i-1] == '_')) {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || isDigit(s[j])) {
			j++
		}
		if j-i < 2 || j >= len(s) || s[j] != '-' {
			continue
		}
		_, n := digits(s[j+1:], 12)
		if n == 0 {
			continue
		}
		e := j + 1 + n
		if e < len(s) && (isLetter(s[e]) || s[e] == '_' || s[e] == '-' && e+1 < len(s) && isDigit(s[e+1])) {
			continue
		}
		key := s[i:e]
		if notIssue[s[i:j]] {
			i = e - 1
			continue
		}
		if strings.HasSuffix(s[:i], "/browse/") || strings.HasSuffix(s[:i], "selectedIssue=") {
			linked = append(linked, key)
		} else {
			bare = append(bare, key)
		}
		i = e - 1
	}
	return append(linked, bare...)
}

// notIssue are prefixes of tokens shaped like issue keys that are not.
var notIssue = map[string]bool{
	"UTF": true, "SHA": true, "ISO": true, "CVE": true, "RFC": true, "TLS": true, "SSL": true,
	"HTTP": true, "AES": true, "RSA": true, "MD": true, "CWE": true, "GHSA": true, "COVID": true,
	"IPV": true, "UTC": true, "GMT": true, "IEEE": true, "PEP": true, "ECMA": true, "SEV": true,
	"TCP": true, "UDP": true, "WCAG": true, "ES": true, "PR": true, "P": true, "CR": true,
	"CHG": true, "CRQ": true, "RITM": true, "INC": true, "PCI": true, "SOC": true, "GPT": true,
}
