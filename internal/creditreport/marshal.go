package creditreport

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Marshal encodes r as indented JSON the way the contract prints it: every
// object key present, every string leaf present (empty when not printed),
// a list with no rows as [] rather than null, and the conditional
// sub-objects (the unfilled account-state tables, a missing latest-repayment
// or big-amount-instalment table, a missing anti-fraud warning) absent.
func Marshal(r *Report) ([]byte, error) {
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("creditreport: marshal report: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, nullToEmptyList(raw), "", "  "); err != nil {
		return nil, fmt.Errorf("creditreport: indent report: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// nullToEmptyList rewrites every null token of compact JSON to []. In a
// marshalled Report only nil slices encode as null (pointers are
// omitempty), so this is exactly "empty list as []" without walking the
// types.
func nullToEmptyList(raw []byte) []byte {
	out := make([]byte, 0, len(raw)+64)
	inString, escaped := false, false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == 'n' && bytes.HasPrefix(raw[i:], []byte("null")):
			out = append(out, '[', ']')
			i += len("null") - 1
			continue
		}
		out = append(out, c)
	}
	return out
}

// Unmarshal decodes contract JSON into a Report, rejecting keys the
// contract does not have so that a misspelt key is an error rather than a
// silently empty field.
func Unmarshal(data []byte) (*Report, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Report
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("creditreport: decode report: %w", err)
	}
	return &r, nil
}
