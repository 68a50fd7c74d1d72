package kyctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"creditpocket/internal/blob"
	"creditpocket/internal/errs"
	"creditpocket/internal/kyc"
	"creditpocket/internal/kyc/notify"
	"creditpocket/internal/screening"
	"creditpocket/internal/vault"
)

// Exercise runs the kyc.Store and notify.Outbox contract, through the KYC
// service, against the stores open returns: each call must give a fresh,
// empty database's.
func Exercise(t *testing.T, open func(t *testing.T) Stores) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, *kycBundle)
	}{
		{"bindings are idempotent per partner", bindingsAreIdempotentPerPartner},
		{"submit is idempotent and conflicts on a different body", submitIsIdempotentAndConflictsOnADifferentBody},
		{"twenty parallel identical submissions store one", twentyParallelIdenticalSubmissionsStoreOne},
		{"documents are encrypted at rest and views audited", documentsAreEncryptedAtRestAndViewsAudited},
		{"screening hits and reused documents go to review", screeningHitsAndReusedDocumentsGoToReview},
		{"webhooks are signed and retried until acknowledged", webhooksAreSignedAndRetriedUntilAcknowledged},
		{"the outbox survives a restart", outboxSurvivesARestart},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, setupKYC(t, open(t))) })
	}
}

// Stores is what Exercise runs on: a fresh, empty database's KYC store
// and outbox, and a count of the rows in one of its tables, by which the
// suite proves that a refused request wrote nothing.
type Stores struct {
	Store  kyc.Store
	Outbox notify.Outbox
	Count  func(t *testing.T, table string) int64
}

// kycBundle is a KYC service on the stores under test and a blob folder.
type kycBundle struct {
	st      Stores
	svc     *kyc.Service
	blobDir string
	clock   *fakeClock
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func setupKYC(t *testing.T, st Stores) *kycBundle {
	t.Helper()
	v, err := vault.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	blobs, err := blob.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	svc := &kyc.Service{Store: st.Store, Blobs: blobs, Vault: v, Rules: kyc.MustRules(kyc.DefaultConfig()), Now: clock.Now}
	return &kycBundle{st: st, svc: svc, blobDir: dir, clock: clock}
}

func (b *kycBundle) request(t *testing.T, body map[string]any) *kyc.Request {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := kyc.NewReader(bytes.NewReader(raw), kyc.MaxBody).Read()
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func (b *kycBundle) open(t *testing.T, partner, trade, user, url string) *kyc.Binding {
	t.Helper()
	bd, err := b.svc.OpenBinding(context.Background(), kyc.OpenInput{PartnerID: partner, TradeNo: trade, CardTypeID: "71000003", UserRef: user, NotifyURL: url})
	if err != nil {
		t.Fatal(err)
	}
	return bd
}

func (b *kycBundle) count(t *testing.T, table string) int64 {
	t.Helper()
	return b.st.Count(t, table)
}

func bindingsAreIdempotentPerPartner(t *testing.T, b *kycBundle) {
	ctx := context.Background()
	first := b.open(t, "p1", "T-1", "u1", "")
	again := b.open(t, "p1", "T-1", "u1", "")
	if again.ID != first.ID {
		t.Fatalf("reopening gave binding %d, want %d", again.ID, first.ID)
	}
	_, err := b.svc.OpenBinding(ctx, kyc.OpenInput{PartnerID: "p1", TradeNo: "T-1", CardTypeID: "71000003", UserRef: "u2"})
	if code, _ := kyc.CodeOf(err); code != kyc.Conflict {
		t.Fatalf("other details: %v", err)
	}
	// Another partner may use the same trade number.
	if other := b.open(t, "p2", "T-1", "u9", ""); other.ID == first.ID {
		t.Fatal("partners share a binding")
	}
}

func submitIsIdempotentAndConflictsOnADifferentBody(t *testing.T, b *kycBundle) {
	ctx := context.Background()
	b.open(t, "p1", "T-1", "u1", "")
	body := Body("T-1")
	if err := b.svc.Submit(ctx, "p1", b.request(t, body)); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.Submit(ctx, "p1", b.request(t, body)); err != nil {
		t.Fatalf("same body again: %v", err)
	}
	changed := Clone(body)
	changed["kyc_info"].(map[string]any)["city"] = "shanghai"
	err := b.svc.Submit(ctx, "p1", b.request(t, changed))
	if code, _ := kyc.CodeOf(err); code != kyc.Conflict {
		t.Fatalf("different body: %v", err)
	}
	if n := b.count(t, "kyc_submissions"); n != 1 {
		t.Fatalf("%d submissions", n)
	}
	if err := b.svc.Submit(ctx, "p2", b.request(t, body)); !isCode(err, kyc.UnknownTradeNo) {
		t.Fatalf("another partner's trade number: %v", err)
	}
	st, err := b.svc.Status(ctx, "p1", "T-1")
	if err != nil || st.Status != kyc.Approved || st.Review {
		t.Fatalf("status %+v %v", st, err)
	}
}

func isCode(err error, c kyc.Code) bool {
	code, _ := kyc.CodeOf(err)
	return code == c
}

func twentyParallelIdenticalSubmissionsStoreOne(t *testing.T, b *kycBundle) {
	b.open(t, "p1", "T-1", "u1", "")
	body := Body("T-1")
	var wg sync.WaitGroup
	errc := make(chan error, 20)
	for range 20 {
		req := b.request(t, body)
		wg.Go(func() { errc <- b.svc.Submit(context.Background(), "p1", req) })
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Errorf("parallel submit: %v", err)
		}
	}
	if n := b.count(t, "kyc_submissions"); n != 1 {
		t.Fatalf("%d submissions stored", n)
	}
	if n := b.count(t, "kyc_documents"); n != 4 {
		t.Fatalf("%d documents stored", n)
	}
	// The losers removed their blobs: only the winner's four remain.
	if n := countFiles(t, b.blobDir); n != 4 {
		t.Fatalf("%d blob files", n)
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func documentsAreEncryptedAtRestAndViewsAudited(t *testing.T, b *kycBundle) {
	ctx := context.Background()
	b.open(t, "p1", "T-1", "u1", "")
	body := Body("T-1")
	req := b.request(t, body)
	if err := b.svc.Submit(ctx, "p1", req); err != nil {
		t.Fatal(err)
	}
	// No blob file holds a document's bytes or their base64, nor its
	// PNG signature.
	plain := [][]byte{req.Info.FrontDoc.Data, req.Info.MixDoc.Data, req.Info.SignImg.Data, []byte("\x89PNG"), []byte("IHDR")}
	_ = filepath.WalkDir(b.blobDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, pl := range plain {
			if bytes.Contains(data, pl[:min(len(pl), 64)]) {
				t.Errorf("blob %s holds plaintext", d.Name())
			}
		}
		return nil
	})
	// Nor does the database: no column holds the images or the
	// applicant's personal text.
	assertNoPlaintextInKYCTables(t, b.st.Store, append(plain, []byte("maizidianjie28hao"), []byte("example@gmail.com"), []byte("12345678")))

	queue, err := b.svc.ReviewQueue(ctx, 10)
	if err != nil || len(queue) != 0 {
		t.Fatalf("queue %v %v", queue, err)
	}
	sub := submissionOf(t, b, "p1", "T-1")
	got, kind, err := b.svc.ViewDocument(ctx, sub.ID, "front_doc", "ops:alice", "manual check")
	if err != nil || !bytes.Equal(got, req.Info.FrontDoc.Data) || kind != "png" {
		t.Fatalf("view: %v", err)
	}
	if n := b.count(t, "kyc_document_views"); n != 1 {
		t.Fatalf("%d audit rows after one view", n)
	}
	var views []kyc.DocumentView
	_ = b.st.Store.View(ctx, func(ctx context.Context, tx kyc.Tx) error {
		views, err = tx.DocumentViews(ctx, sub.ID)
		return err
	})
	if len(views) != 1 || views[0].Viewer != "ops:alice" || views[0].Field != "front_doc" || views[0].Purpose != "manual check" {
		t.Fatalf("views %+v", views)
	}
	if _, _, err := b.svc.ViewDocument(ctx, sub.ID, "poa_doc", "ops:alice", "x"); !isCode(err, kyc.NotFound) {
		t.Fatalf("missing document: %v", err)
	}
	if n := b.count(t, "kyc_document_views"); n != 1 {
		t.Fatalf("a refused view left an audit row")
	}
	app, err := b.svc.Applicant(sub)
	if err != nil || app["address"] != "maizidianjie28hao" || app["doc_no"] != "12345678" {
		t.Fatalf("applicant %v %v", app, err)
	}
}

func submissionOf(t *testing.T, b *kycBundle, partner, trade string) *kyc.Submission {
	t.Helper()
	ctx := context.Background()
	var sub *kyc.Submission
	err := b.st.Store.View(ctx, func(ctx context.Context, tx kyc.Tx) error {
		bd, err := tx.BindingByTrade(ctx, partner, trade)
		if err != nil {
			return err
		}
		sub, err = tx.SubmissionByBinding(ctx, bd.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// assertNoPlaintextInKYCTables reads every KYC row as text and looks for
// each needle.
func assertNoPlaintextInKYCTables(t *testing.T, st kyc.Store, needles [][]byte) {
	t.Helper()
	ctx := context.Background()
	var dump bytes.Buffer
	err := st.View(ctx, func(ctx context.Context, tx kyc.Tx) error {
		for id := int64(1); id < 50; id++ {
			sub, err := tx.SubmissionByID(ctx, id)
			if errs.Is(err, errs.NotFound) {
				continue
			}
			if err != nil {
				return err
			}
			j, _ := json.Marshal(sub)
			dump.Write(j)
			dump.Write(sub.Applicant)
			docs, err := tx.Documents(ctx, id)
			if err != nil {
				return err
			}
			j, _ = json.Marshal(docs)
			dump.Write(j)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range needles {
		if bytes.Contains(dump.Bytes(), n[:min(len(n), 64)]) {
			t.Errorf("KYC rows hold plaintext %q…", n[:min(len(n), 16)])
		}
	}
}

func screeningHitsAndReusedDocumentsGoToReview(t *testing.T, b *kycBundle) {
	ctx := context.Background()
	list, err := screening.LoadCSV(strings.NewReader("id,name,aliases,country,program\nWL-1,GAO Pan,,CN,TEST\n"))
	if err != nil {
		t.Fatal(err)
	}
	b.svc.Screen = list
	b.open(t, "p1", "T-1", "u1", "")
	if err := b.svc.Submit(ctx, "p1", b.request(t, Body("T-1"))); err != nil {
		t.Fatal(err)
	}
	st, _ := b.svc.Status(ctx, "p1", "T-1")
	if st.Status != kyc.Submitted || !st.Review || strings.Join(st.Reasons, ";") != "under manual review" {
		t.Fatalf("screened status %+v: the merchant must not learn of the watch list", st)
	}
	if sub := submissionOf(t, b, "p1", "T-1"); len(sub.Reasons) != 1 || !strings.Contains(sub.Reasons[0], "WL-1") {
		t.Fatalf("operators' reasons %v", sub.Reasons)
	}
	// Another user of the merchant with the same passport number.
	b.svc.Screen = nil
	b.open(t, "p1", "T-2", "u2", "")
	body := Body("T-2")
	body["base_info"].(map[string]any)["first_name"] = "li"
	if err := b.svc.Submit(ctx, "p1", b.request(t, body)); err != nil {
		t.Fatal(err)
	}
	st2, _ := b.svc.Status(ctx, "p1", "T-2")
	if sub := submissionOf(t, b, "p1", "T-2"); !st2.Review || !strings.Contains(strings.Join(sub.Reasons, ";"), "doc_no is already used") {
		t.Fatalf("reused document status %+v, reasons %v", st2, sub.Reasons)
	}
	queue, err := b.svc.ReviewQueue(ctx, 10)
	if err != nil || len(queue) != 2 || queue[0].TradeNo != "T-1" {
		t.Fatalf("queue %+v %v", queue, err)
	}
	if _, err := b.svc.Decide(ctx, queue[0].ID, false, "confirmed watch-list match", "ops:bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Decide(ctx, queue[0].ID, true, "", "ops:bob"); !isCode(err, kyc.NotReviewable) {
		t.Fatalf("second decision: %v", err)
	}
	if _, err := b.svc.Decide(ctx, queue[1].ID, true, "", "ops:bob"); err != nil {
		t.Fatal(err)
	}
	st, _ = b.svc.Status(ctx, "p1", "T-1")
	st2, _ = b.svc.Status(ctx, "p1", "T-2")
	if st.Status != kyc.Rejected || st2.Status != kyc.Approved || st.Review || st2.Review ||
		strings.Join(st.Reasons, ";") != "rejected on review: confirmed watch-list match" {
		t.Fatalf("after review: %+v %+v", st, st2)
	}
}

func webhooksAreSignedAndRetriedUntilAcknowledged(t *testing.T, b *kycBundle) {
	ctx := context.Background()
	var calls atomic.Int32
	var mu sync.Mutex
	var got []kyc.Event
	secret := b.svc.WebhookSecret("p1")
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := make([]byte, 4096)
		n, _ := r.Body.Read(body)
		body = body[:n]
		if err := notify.VerifySignature(secret, r.Header, body, b.clock.Now()); err != nil {
			t.Errorf("signature: %v", err)
		}
		// The merchant is down for the first two calls.
		if calls.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		var ev kyc.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("event: %v", err)
		}
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer merchant.Close()
	b.open(t, "p1", "T-1", "u1", merchant.URL+"/kyc")
	if err := b.svc.Submit(ctx, "p1", b.request(t, Body("T-1"))); err != nil {
		t.Fatal(err)
	}
	n := &notify.Notifier{Outbox: b.st.Outbox, Secret: b.svc.WebhookKey,
		Now: b.clock.Now, BaseDelay: time.Second, MaxDelay: time.Minute, AllowPrivate: true}
	// Attempt 1 fails (both events due, the first fails, the second
	// is the merchant's second failure).
	if d, err := n.DeliverDue(ctx); err != nil || d != 0 {
		t.Fatalf("first round delivered %d: %v", d, err)
	}
	// Nothing is due again before the backoff has passed.
	if d, _ := n.DeliverDue(ctx); d != 0 || calls.Load() != 2 {
		t.Fatalf("retried before the backoff: %d calls", calls.Load())
	}
	b.clock.Add(2 * time.Second)
	if d, err := n.DeliverDue(ctx); err != nil || d != 2 {
		t.Fatalf("after backoff delivered %d: %v", d, err)
	}
	b.clock.Add(time.Hour)
	if d, _ := n.DeliverDue(ctx); d != 0 || calls.Load() != 4 {
		t.Fatalf("delivered notifications were sent again: %d calls", calls.Load())
	}
	// Retries may reorder events; seq orders them for the merchant.
	slices.SortFunc(got, func(a, b kyc.Event) int { return a.Seq - b.Seq })
	if len(got) != 2 || got[0].Status != kyc.Submitted || got[1].Status != kyc.Approved || got[1].TradeNo != "T-1" {
		t.Fatalf("events %+v", got)
	}
}

func outboxSurvivesARestart(t *testing.T, b *kycBundle) {
	ctx := context.Background()
	b.open(t, "p1", "T-1", "u1", "http://127.0.0.1:1/unreachable")
	if err := b.svc.Submit(ctx, "p1", b.request(t, Body("T-1"))); err != nil {
		t.Fatal(err)
	}
	// A fresh notifier (as after a restart) finds both events due, and
	// of two racing workers only one claims each.
	due, err := b.st.Outbox.DueNotifications(ctx, b.clock.Now(), 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("due %d %v", len(due), err)
	}
	won1, err1 := b.st.Outbox.ClaimNotification(ctx, due[0].ID, due[0].NextAttempt, b.clock.Now().Add(time.Minute))
	won2, err2 := b.st.Outbox.ClaimNotification(ctx, due[0].ID, due[0].NextAttempt, b.clock.Now().Add(time.Minute))
	if err := errors.Join(err1, err2); err != nil || !won1 || won2 {
		t.Fatalf("claims %v %v %v", won1, won2, err)
	}
}
