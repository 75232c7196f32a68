package errtext

import "strings"

// maxOtherCandidates bounds how many lines Others parses: a log with
// thousands of denial lines costs a bounded time.
const maxOtherCandidates = 200

// Others returns the denials of text, one a line, that name another action,
// resource or principal than first (the one Parse found): a pasted log or
// ticket with several different denials, of which a diagnosis of first
// addresses one. Only "not authorized to perform" messages with an action
// count: a line of a message that spans several lines is not taken for a
// denial of its own. Each distinct denial is returned once, in the order
// of the text; at most the first maxOtherCandidates candidate lines are
// read.
func Others(text string, first *Denial) []*Denial {
	if first == nil {
		return nil
	}
	key := func(d *Denial) string { return d.Principal + "\x00" + d.Action + "\x00" + d.Resource }
	seen := map[string]bool{key(first): true}
	var out []*Denial
	candidates := 0
	for _, line := range strings.Split(text, "\n") {
		if !IsDenialLine(line) {
			continue
		}
		if candidates++; candidates > maxOtherCandidates {
			break
		}
		d, err := Parse(line)
		if err != nil || d.Kind != KindNotAuthorized || d.Action == "" || seen[key(d)] {
			continue
		}
		seen[key(d)] = true
		out = append(out, d)
	}
	return out
}
