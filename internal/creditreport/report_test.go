package creditreport

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// modelOnlyPaths are the key paths the model adds to the contract's JSON
// skeleton: the two header tables the contract's field table names without
// giving them a shape.
var modelOnlyPaths = []string{
	"antiHackInfo",
	"antiHackInfo.dueDate",
	"antiHackInfo.effectDate",
	"antiHackInfo.tel",
	"otherIdInfo",
	"otherIdInfo[]",
	"otherIdInfo[].idNum",
	"otherIdInfo[].idType",
}

// keyPaths lists every key path of a JSON document, arrays written as [].
func keyPaths(t *testing.T, data []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode: %v", err)
	}
	set := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				set[p] = true
				walk(p, child)
			}
		case []any:
			set[prefix+"[]"] = true
			for _, child := range v {
				walk(prefix+"[]", child)
			}
		}
	}
	walk("", v)
	paths := make([]string, 0, len(set))
	for p := range set {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths
}

// TestModelMirrorsContractSkeleton decodes the contract's own JSON skeleton
// (every object and every state table filled) strictly into a Report and
// marshals it back: the key paths must be the skeleton's, plus only the
// documented model additions.
func TestModelMirrorsContractSkeleton(t *testing.T) {
	skeleton, err := os.ReadFile(filepath.Join("testdata", "skeleton.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Unmarshal(skeleton)
	if err != nil {
		t.Fatalf("the skeleton has a key the model lacks: %v", err)
	}
	r.OtherIDInfo = []OtherID{{IDType: "护照", IDNum: "E12345678"}}
	r.AntiHackInfo = &AntiHack{Tel: "13800000000", EffectDate: "2015.01.01", DueDate: "2016.01.01"}
	got, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := append(keyPaths(t, skeleton), modelOnlyPaths...)
	slices.Sort(want)
	gotPaths := keyPaths(t, got)
	if !slices.Equal(gotPaths, want) {
		for _, p := range gotPaths {
			if !slices.Contains(want, p) {
				t.Errorf("model has key path %q the contract lacks", p)
			}
		}
		for _, p := range want {
			if !slices.Contains(gotPaths, p) {
				t.Errorf("model lacks contract key path %q", p)
			}
		}
	}
}

func TestMarshal(t *testing.T) {
	t.Run("an empty report prints every list as [] and omits the conditional tables", func(t *testing.T) {
		got, err := Marshal(&Report{})
		if err != nil {
			t.Fatal(err)
		}
		s := string(got)
		if strings.Contains(s, "null") {
			t.Errorf("output contains null:\n%s", s)
		}
		if !strings.Contains(s, `"queryRecord": []`) {
			t.Errorf("queryRecord is not an empty list")
		}
		if strings.Contains(s, "antiHackInfo") {
			t.Errorf("an absent anti-fraud warning is printed")
		}
	})
	t.Run("a string value null survives the list rewrite", func(t *testing.T) {
		r := &Report{CreditHeader: CreditHeader{Reason: `null "null" \null`}}
		got, err := Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Unmarshal(got)
		if err != nil {
			t.Fatal(err)
		}
		if back.CreditHeader.Reason != r.CreditHeader.Reason {
			t.Errorf("reason = %q, want %q", back.CreditHeader.Reason, r.CreditHeader.Reason)
		}
	})
	t.Run("only the filled account-state table is printed", func(t *testing.T) {
		r := &Report{}
		r.CreditTransInfoDetail.AcyclicCreditAccount = []LoanAccount{{
			AccountState: LoanState{Value: "结清", Clear: &ClosedState{AccountClosedDate: "2015.05.05"}},
		}}
		got, err := Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		s := string(got)
		for _, absent := range []string{`"normal"`, `"badDebt"`, `"transfer"`, `"beforeDeadlineDate"`} {
			if strings.Contains(s, absent) {
				t.Errorf("output contains %s", absent)
			}
		}
		if !strings.Contains(s, `"accountClosedDate": "2015.05.05"`) {
			t.Errorf("closed date missing")
		}
	})
}

func TestUnmarshalRejectsUnknownKeys(t *testing.T) {
	if _, err := Unmarshal([]byte(`{"creditHeader":{"serialNumber":"1"}}`)); err == nil {
		t.Fatal("a misspelt key decoded without error")
	}
}
