package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"creditpocket/internal/partner"
	"creditpocket/internal/risk"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// riskEvent is a valid Loan event for the borrower with the given BVN,
// phone national number and device; the event time is now.
func riskEvent(bvn, phone, device string) map[string]any {
	return map[string]any{
		"event_time": time.Now().UTC().Format(time.RFC3339),
		"event_type": "loan",
		"scenario":   "cashloan",
		"order_id":   "ORD-" + bvn,
		"terminal":   map[string]any{"ip": "102.89.34.10", "black_box": device},
		"account":    map[string]any{"account_id": "U1", "phone": "+234" + phone, "email": "ada@example.com"},
		"profile": map[string]any{
			"name":      "Ada Obi",
			"phone":     map[string]any{"country_code": 234, "phone_number": phone},
			"id":        map[string]any{"id_country": "NG", "id_type": "others", "id_number": bvn, "valid_date": "2030-01-01"},
			"email":     "ada@example.com",
			"sex":       "female",
			"birthdate": "1995-04-12",
		},
		"contact": []any{
			map[string]any{"name": "Chidi", "phone": map[string]any{"country_code": 234, "phone_number": "8039876543"}, "relationship": "parent"},
		},
		"card": map[string]any{"bank_name": "Access Bank", "card_number": "0123456789"},
	}
}

// riskAnswer is the decision API's answer as a partner reads it.
type riskAnswer struct {
	Status        int
	Success       bool   `json:"success"`
	ReasonCode    string `json:"reason_code"`
	Message       string `json:"message"`
	SequenceID    string `json:"sequence_id"`
	FinalDecision string `json:"final_decision"`
	FinalScore    int    `json:"final_score"`
	PolicyVersion string `json:"policy_version"`
	Reason        string `json:"reason"`
	PolicySet     []struct {
		PolicyUUID string `json:"policy_uuid"`
		PolicyMode string `json:"policy_mode"`
	} `json:"policy_set"`
	HitRules []struct {
		ID       string         `json:"id"`
		Decision string         `json:"decision"`
		Features map[string]any `json:"features"`
	} `json:"hit_rules"`
	SpendTime *int64 `json:"spend_time"`
}

// riskBundle is an app with a partner allowed to call the risk API.
type riskBundle struct {
	*testApp
	id, secret string
}

func newRiskApp(t testing.TB, e store.Engine) *riskBundle {
	t.Helper()
	a := newLoanApp(t, e, nil)
	p, secret, err := a.app.Partners.Create(context.Background(), partner.CreateInput{Name: "lender", Scopes: []partner.Scope{partner.ScopeRisk}, RatePerSecond: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	return &riskBundle{testApp: a, id: p.ID, secret: secret}
}

// call posts body (a value sent as JSON, or a string sent as is) to path
// and decodes the answer; headers are "Name: value".
func (b *riskBundle) call(path string, body any, headers ...string) riskAnswer {
	b.t.Helper()
	status, out := b.raw("POST", path, body, headers...)
	var a riskAnswer
	if err := json.Unmarshal(out, &a); err != nil {
		b.t.Fatalf("POST %s: status %d, not JSON: %q", path, status, out)
	}
	a.Status = status
	return a
}

// decide posts an event with the partner's credentials in the query.
func (b *riskBundle) decide(ev any) riskAnswer {
	b.t.Helper()
	return b.call("/credit/fraud/v1?partner_code="+b.id+"&partner_key="+b.secret, ev)
}

func (b *riskBundle) list(kind, value, list string) {
	b.t.Helper()
	r := b.opsReq("POST", "/ops/risk/list-entries", map[string]string{"kind": kind, "value": value, "list": list, "reason": "test", "created_by": "ada"})
	if r.Status != 200 {
		b.t.Fatalf("add list entry: %d %s", r.Status, r.Message)
	}
}

func TestRiskDecisionAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		b := newRiskApp(t, e)
		ctx := context.Background()

		t.Run("a valid event is decided and stored under its sequence_id", func(t *testing.T) {
			a := b.decide(riskEvent("22212345678", "8031234567", "bb-1"))
			if a.Status != 200 || !a.Success || len(a.SequenceID) != 26 || a.FinalDecision == "" || a.SpendTime == nil || len(a.PolicySet) == 0 {
				t.Fatalf("answer = %+v", a)
			}
			rec, err := b.app.RiskStore.Decision(ctx, a.SequenceID)
			if err != nil {
				t.Fatal(err)
			}
			if rec.OrderID != "ORD-22212345678" || rec.Features.Age < 30 || rec.Features.IDEvents1h != 1 || rec.Outcome.FinalDecision != risk.Decision(a.FinalDecision) {
				t.Fatalf("stored record = %+v", rec)
			}
			again := b.decide(riskEvent("22212345678", "8031234567", "bb-1"))
			if again.SequenceID == a.SequenceID {
				t.Fatal("two decisions share a sequence_id")
			}
			if rec, _ := b.app.RiskStore.Decision(ctx, again.SequenceID); rec.Features.IDEvents1h != 2 || rec.Features.ContactSharedMax != 0 {
				t.Fatalf("the second event's velocity: %d events in 1 h", rec.Features.IDEvents1h)
			}
		})

		t.Run("the X-API-ID and X-API-SECRET headers are accepted", func(t *testing.T) {
			a := b.call("/credit/fraud/v1", riskEvent("22212345600", "8031230000", "bb-2"), "X-API-ID: "+b.id, "X-API-SECRET: "+b.secret)
			if a.Status != 200 || !a.Success {
				t.Fatalf("answer = %+v", a)
			}
		})

		t.Run("a whitelisted borrower is accepted with the seed's reason", func(t *testing.T) {
			b.list("id_number", "22200000001", "white")
			a := b.decide(riskEvent("22200000001", "8031111111", "bb-3"))
			if a.FinalDecision != "Accept" || a.Reason != "Whitelist customers system automatic approve" {
				t.Fatalf("answer = %+v", a)
			}
		})

		t.Run("a blacklisted BVN is rejected with the seed's reason", func(t *testing.T) {
			b.list("id_number", "222-0000-0002", "black")
			a := b.decide(riskEvent("22200000002", "8032222222", "bb-4"))
			if a.FinalDecision != "Reject" || a.Reason != "BVN in the internal Blacklist" || len(a.HitRules) == 0 || a.HitRules[0].Features["id_blacklisted"] != true {
				t.Fatalf("answer = %+v", a)
			}
		})

		bad := []struct {
			name   string
			edit   func(ev map[string]any)
			status int
			code   string
			field  string
		}{
			{"an unknown field is refused by name", func(ev map[string]any) { ev["colour"] = "red" }, 400, "unknown_field", "colour"},
			{"a missing event_time is refused", func(ev map[string]any) { delete(ev, "event_time") }, 400, "missing_field", "event_time"},
			{"an unknown sex is refused", func(ev map[string]any) { ev["profile"].(map[string]any)["sex"] = "x" }, 400, "invalid_field", "profile.sex"},
			{"a country code given as text is refused", func(ev map[string]any) {
				ev["profile"].(map[string]any)["phone"].(map[string]any)["country_code"] = "234"
			}, 400, "wrong_type", "profile.phone.country_code"},
			{"an ID country outside ISO 3166 is refused", func(ev map[string]any) {
				ev["profile"].(map[string]any)["id"].(map[string]any)["id_country"] = "XX"
			}, 400, "invalid_field", "profile.id.id_country"},
			{"a contact relationship outside the enumeration is refused", func(ev map[string]any) {
				ev["contact"].([]any)[0].(map[string]any)["relationship"] = "neighbour"
			}, 400, "invalid_field", "contact[0].relationship"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				ev := riskEvent("22212345678", "8031234567", "bb-1")
				tt.edit(ev)
				a := b.decide(ev)
				if a.Status != tt.status || a.Success || a.ReasonCode != tt.code || !strings.Contains(a.Message, tt.field) {
					t.Fatalf("answer = %d %+v, want %d %s naming %s", a.Status, a, tt.status, tt.code, tt.field)
				}
			})
		}
		t.Run("a body that is not JSON is refused", func(t *testing.T) {
			a := b.call("/credit/fraud/v1?partner_code="+b.id+"&partner_key="+b.secret, "{nope")
			if a.Status != 400 || a.Success || a.ReasonCode != "malformed_event" {
				t.Fatalf("answer = %+v", a)
			}
		})

		_, ocrSecret, err := b.app.Partners.Create(ctx, partner.CreateInput{Name: "ocr only", Scopes: []partner.Scope{partner.ScopeOCR}})
		if err != nil {
			t.Fatal(err)
		}
		ocrs, _ := b.app.Partners.List(ctx)
		var ocrID string
		for _, p := range ocrs {
			if p.Name == "ocr only" {
				ocrID = p.ID
			}
		}
		creds := []struct {
			name   string
			query  string
			status int
			code   string
		}{
			{"no credentials are refused", "", 401, "unauthorized"},
			{"a wrong secret is refused", "?partner_code=" + b.id + "&partner_key=wrong", 401, "unauthorized"},
			{"a partner without scope risk is refused", "?partner_code=" + ocrID + "&partner_key=" + ocrSecret, 403, "no_permission"},
		}
		for _, tt := range creds {
			t.Run(tt.name, func(t *testing.T) {
				before := b.rowCounts()["risk_decisions"]
				a := b.call("/credit/fraud/v1"+tt.query, riskEvent("22212345678", "8031234567", "bb-1"))
				if a.Status != tt.status || a.Success || a.ReasonCode != tt.code {
					t.Fatalf("answer = %+v, want %d %s", a, tt.status, tt.code)
				}
				if after := b.rowCounts()["risk_decisions"]; after != before {
					t.Fatalf("a refused call stored a decision (%d → %d)", before, after)
				}
			})
		}

		t.Run("feedback is recorded for a sequence_id", func(t *testing.T) {
			seq := b.decide(riskEvent("22212340000", "8034444444", "bb-5")).SequenceID
			fb := "/credit/fraud/v1/feedback?partner_code=" + b.id + "&partner_key=" + b.secret
			for _, step := range []struct {
				outcome string
				status  int
			}{{"accept", 200}, {"defaulted", 200}, {"decline", 409}, {"maybe", 400}} {
				if a := b.call(fb, map[string]string{"sequence_id": seq, "outcome": step.outcome}); a.Status != step.status {
					t.Fatalf("%s: %+v, want %d", step.outcome, a, step.status)
				}
			}
			if a := b.call(fb, map[string]string{"sequence_id": "00000000000000000000000000", "outcome": "accept"}); a.Status != 404 || a.ReasonCode != "not_found" {
				t.Fatalf("unknown sequence_id: %+v", a)
			}
			rec, _ := b.app.RiskStore.Decision(ctx, seq)
			if rec.Feedback == nil || !rec.Feedback.Approved || rec.Feedback.Repayment != risk.Defaulted {
				t.Fatalf("feedback = %+v", rec.Feedback)
			}
		})

		t.Run("list entries are listed masked and removed by id", func(t *testing.T) {
			var entries []risk.ListEntry
			b.opsReq("GET", "/ops/risk/list-entries?kind=id_number", nil).decode(t, &entries)
			if len(entries) != 2 || strings.Contains(entries[0].Value, "2220000000") {
				t.Fatalf("entries = %+v", entries)
			}
			for _, e := range entries {
				if r := b.opsReq("DELETE", "/ops/risk/list-entries/"+e.ID, nil); r.Status != 200 {
					t.Fatalf("remove: %d %s", r.Status, r.Message)
				}
			}
			if a := b.decide(riskEvent("22200000002", "8032222222", "bb-4")); a.Reason == "BVN in the internal Blacklist" {
				t.Fatal("a removed blacklisting still rejects")
			}
			if r := b.req("GET", "/ops/risk/list-entries", nil, "wrong"); r.Status != 401 {
				t.Fatalf("a wrong operator token: %d", r.Status)
			}
		})
	})
}

// candidatePolicy is the default policy under another version, with the
// under-age limit raised so the candidate decides differently.
func candidatePolicy(t *testing.T, version string) []byte {
	t.Helper()
	src := string(risk.DefaultPolicyYAML())
	src = strings.Replace(src, risk.DefaultPolicy().Version, version, 1)
	return []byte(strings.Replace(src, "age >= 0 && age < 18", "age >= 0 && age < 40", 1))
}

func TestRiskPolicyReload(t *testing.T) {
	b := newRiskApp(t, store.SQLite)
	ctx := context.Background()
	live := b.app.Risk.Policy().Version

	// Decisions keep flowing while policies are refused and applied.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var failures []string
	var mu sync.Mutex
	var decided atomic.Int64
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if a := b.decide(riskEvent(fmt.Sprintf("333%08d", i), "8035555555", "bb-6")); a.Status != 200 {
				mu.Lock()
				failures = append(failures, fmt.Sprintf("%d %s", a.Status, a.Message))
				mu.Unlock()
			} else {
				decided.Add(1)
			}
		}
	})

	t.Run("a policy naming an unknown feature is refused and the running one stays", func(t *testing.T) {
		bad := strings.Replace(string(candidatePolicy(t, "2099-01-01.1")), "id_blacklisted", "id_blacklisted_typo", 1)
		r := b.req("POST", "/ops/risk/policy", bad, testOpsToken, "Content-Type: application/yaml")
		if r.Status != 400 || !strings.Contains(r.Message, "id_blacklisted_typo") {
			t.Fatalf("bad policy: %d %q", r.Status, r.Message)
		}
		if v := b.app.Risk.Policy().Version; v != live {
			t.Fatalf("live policy %s after a refused reload, want %s", v, live)
		}
	})

	dir := t.TempDir()
	envOf := func(k string) (string, bool) {
		switch k {
		case "CREDITPOCKET_DATA":
			return b.app.Config.DataDir, true
		case "CREDITPOCKET_DATABASE_URL":
			return b.app.Config.DatabaseURL, true
		case "CREDITPOCKET_DEV": // the app's dev key
			return "1", true
		}
		return "", false
	}
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, args, envOf, &out, &errOut)
		return out.String() + errOut.String(), err
	}

	t.Run("the CLI refuses a policy that does not compile", func(t *testing.T) {
		file := filepath.Join(dir, "bad.yaml")
		_ = os.WriteFile(file, []byte("version: x\npolicy_sets: [{uuid: u, name: n, mode: Sometimes, rules: []}]\n"), 0o600)
		if out, err := cli("risk", "policy", "apply", file); err == nil || !strings.Contains(err.Error(), "refused") {
			t.Fatalf("bad policy applied: %v %s", err, out)
		}
	})

	t.Run("a policy applied by the CLI goes live on the next poll", func(t *testing.T) {
		file := filepath.Join(dir, "candidate.yaml")
		_ = os.WriteFile(file, candidatePolicy(t, "2099-01-02.1"), 0o600)
		if out, err := cli("risk", "policy", "apply", file); err != nil {
			t.Fatalf("apply: %v %s", err, out)
		}
		if changed, err := b.app.Risk.Sync(ctx, b.app.RiskStore); !changed || err != nil {
			t.Fatalf("Sync = %v, %v", changed, err)
		}
		if a := b.decide(riskEvent("22255555555", "8036666666", "bb-7")); a.PolicyVersion != "2099-01-02.1" || a.FinalDecision != "Reject" {
			t.Fatalf("after reload: %+v", a)
		}
		out, err := cli("risk", "policy", "list")
		if err != nil || !regexp.MustCompile(`(?m)^\*\s+2099-01-02\.1\s`).MatchString(out) {
			t.Fatalf("policy list: %v\n%s", err, out)
		}
	})

	t.Run("a policy shadowed through the ops API is stored for every server", func(t *testing.T) {
		r := b.req("POST", "/ops/risk/policy?mode=shadow", string(candidatePolicy(t, "2099-01-04.1")), testOpsToken, "Content-Type: application/yaml")
		var st struct {
			ShadowVersion string `json:"shadow_version"`
		}
		r.decode(t, &st)
		if r.Status != 200 || st.ShadowVersion != "2099-01-04.1" {
			t.Fatalf("ops shadow: %d %q %+v", r.Status, r.Message, st)
		}
		if v, err := b.app.RiskStore.ShadowPolicyVersion(ctx); err != nil || v != "2099-01-04.1" {
			t.Fatalf("stored shadow version %q, %v", v, err)
		}
	})

	t.Run("a policy the CLI shadows runs beside the live one on the next poll, until stopped", func(t *testing.T) {
		file := filepath.Join(dir, "shadow.yaml")
		_ = os.WriteFile(file, candidatePolicy(t, "2099-01-03.1"), 0o600)
		if out, err := cli("risk", "policy", "shadow"); err == nil {
			t.Fatalf("shadow without a file or --stop: %s", out)
		}
		if out, err := cli("risk", "policy", "shadow", file); err != nil {
			t.Fatalf("shadow: %v %s", err, out)
		}
		if changed, err := b.app.Risk.SyncShadow(ctx, b.app.RiskStore); !changed || err != nil || b.app.Risk.Shadow().Version != "2099-01-03.1" {
			t.Fatalf("SyncShadow = %v, %v", changed, err)
		}
		if live := b.app.Risk.Policy().Version; live == "2099-01-03.1" {
			t.Fatal("the shadowed policy went live")
		}
		if out, err := cli("risk", "policy", "shadow", "--stop"); err != nil {
			t.Fatalf("stop: %v %s", err, out)
		}
		if changed, err := b.app.Risk.SyncShadow(ctx, b.app.RiskStore); !changed || err != nil || b.app.Risk.Shadow() != nil {
			t.Fatalf("SyncShadow after the stop = %v, %v, shadow %v", changed, err, b.app.Risk.Shadow())
		}
	})

	close(stop)
	wg.Wait()
	if len(failures) > 0 || decided.Load() == 0 {
		t.Fatalf("%d decisions made, %d failed during reloads: %v", decided.Load(), len(failures), failures)
	}

	t.Run("simulate compares a candidate with the live decisions", func(t *testing.T) {
		seq := b.decide(riskEvent("22277777777", "8037777777", "bb-8")).SequenceID
		fb := "/credit/fraud/v1/feedback?partner_code=" + b.id + "&partner_key=" + b.secret
		b.call(fb, map[string]string{"sequence_id": seq, "outcome": "defaulted"})
		file := filepath.Join(dir, "default.yaml")
		_ = os.WriteFile(file, risk.DefaultPolicyYAML(), 0o600)
		out, err := cli("risk", "simulate", "--policy", file, "--since", time.Now().UTC().Format(time.DateOnly))
		if err != nil || !strings.Contains(out, "would change") || !strings.Contains(out, "Accept") || !strings.Contains(out, "defaulted") {
			t.Fatalf("simulate: %v\n%s", err, out)
		}
	})

	t.Run("the CLI puts a value on a list", func(t *testing.T) {
		if out, err := cli("risk", "list", "add", "--kind", "phone", "--value", "+234 803 888 8888", "--list", "black", "--reason", "fraud ring", "--expires", "2099-12-31"); err != nil {
			t.Fatalf("list add: %v %s", err, out)
		}
		if a := b.decide(riskEvent("22288888888", "8038888888", "bb-9")); a.FinalDecision != "Reject" || a.Reason != "Phone number in the internal Blacklist" {
			t.Fatalf("after list add: %+v", a)
		}
	})
}

// BenchmarkRiskAPI measures POST /credit/fraud/v1 end to end — partner
// authentication, decoding, store-backed features, the default policy and
// the stored decision — with 16 requests in flight, on PostgreSQL when
// CREDITPOCKET_TEST_POSTGRES_URL is set (else SQLite). bench/risk-api.sh
// runs the fixed-rate load test over a real server.
func BenchmarkRiskAPI(b *testing.B) {
	e := store.SQLite
	if os.Getenv(storetest.PostgresURLEnv) != "" {
		e = store.Postgres
	}
	rb := newRiskApp(b, e)
	events := make([][]byte, 4096)
	for i := range events {
		ev := riskEvent(fmt.Sprintf("4%010d", i), fmt.Sprintf("803%07d", i), fmt.Sprintf("bb-%d", i%500))
		ev["contact"].([]any)[0].(map[string]any)["phone"].(map[string]any)["phone_number"] = fmt.Sprintf("805%07d", i%1000)
		events[i], _ = json.Marshal(ev)
	}
	url := rb.srv.URL + "/credit/fraud/v1"
	b.SetParallelism(8)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", url, bytes.NewReader(events[next.Add(1)%int64(len(events))]))
			req.Header.Set("X-API-ID", rb.id)
			req.Header.Set("X-API-SECRET", rb.secret)
			resp, err := rb.srv.Client().Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}

// BenchmarkRiskStages splits BenchmarkRiskAPI's cost: the decision with
// store-backed sources alone, storing it, and partner authentication.
func BenchmarkRiskStages(b *testing.B) {
	e := store.SQLite
	if os.Getenv(storetest.PostgresURLEnv) != "" {
		e = store.Postgres
	}
	rb := newRiskApp(b, e)
	ctx := context.Background()
	events := make([]*risk.Event, 4096)
	for i := range events {
		ev := riskEvent(fmt.Sprintf("4%010d", i), fmt.Sprintf("803%07d", i), fmt.Sprintf("bb-%d", i%500))
		ev["contact"].([]any)[0].(map[string]any)["phone"].(map[string]any)["phone_number"] = fmt.Sprintf("805%07d", i%1000)
		raw, _ := json.Marshal(ev)
		var err error
		if events[i], err = risk.DecodeEvent(bytes.NewReader(raw), time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	stage := func(name string, fn func(i int64) error) {
		b.Run(name, func(b *testing.B) {
			var next atomic.Int64
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := fn(next.Add(1)); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
	var last atomic.Pointer[risk.Record]
	stage("decide", func(i int64) error {
		rec, err := rb.app.Risk.Decide(ctx, risk.Input{Event: events[i%int64(len(events))]})
		if err == nil && len(rec.SourceErrors) > 0 {
			err = fmt.Errorf("sources failed: %v", rec.SourceErrors)
		}
		last.Store(rec)
		return err
	})
	stage("save", func(i int64) error {
		rec := *last.Load()
		rec.SequenceID = risk.NewSequenceID(time.Now())
		return rb.app.RiskStore.SaveDecision(ctx, &rec, risk.SourcePartnerAPI, rb.id)
	})
	stage("authenticate", func(int64) error {
		_, err := rb.app.Partners.Authenticate(ctx, rb.id, rb.secret, partner.ScopeRisk)
		return err
	})
}
