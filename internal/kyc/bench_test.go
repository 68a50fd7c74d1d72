package kyc_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"creditpocket/internal/kyc"
	"creditpocket/internal/kyc/kyctest"
)

// bigBody is a valid request carrying four documents of about 1.5 MB of
// base64 each (front, back, mix and proof of address) and a signature.
func bigBody(tb testing.TB) []byte {
	big := kyctest.Big(4)
	body := kyctest.Body("BENCH-1")
	info := body["kyc_info"].(map[string]any)
	info["front_doc"], info["back_doc"], info["mix_doc"], info["poa_doc"] = big[0], big[1], big[2], big[3]
	info["poa_type"] = 1
	return marshal(tb, body)
}

// BenchmarkValidateKYC reads and validates a request with four 1.5 MB
// images from its JSON body: the work done before a KYC is accepted,
// without storage. It reports the 99th percentile of single runs.
func BenchmarkValidateKYC(b *testing.B) {
	body := bigBody(b)
	rules := kyc.MustRules(kyc.DefaultConfig())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var runs []time.Duration
	for b.Loop() {
		start := time.Now()
		req, err := kyc.NewReader(bytes.NewReader(body), kyc.MaxBody).Read()
		if err != nil {
			b.Fatal(err)
		}
		if err := rules.Validate(req, "71000003", now); err != nil {
			b.Fatal(err)
		}
		runs = append(runs, time.Since(start))
	}
	slices.Sort(runs)
	b.ReportMetric(float64(runs[len(runs)*99/100].Microseconds())/1000, "p99-ms")
}

func TestBigBodyIsValid(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 6 MB of images")
	}
	body := bigBody(t)
	req, err := kyc.NewReader(bytes.NewReader(body), kyc.MaxBody).Read()
	if err != nil {
		t.Fatal(err)
	}
	if err := kyc.MustRules(kyc.DefaultConfig()).Validate(req, "71000003", now); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{req.Info.FrontDoc.Encoded, req.Info.PoaDoc.Encoded} {
		if n < 1_400_000 || n >= kyc.MaxImageText {
			t.Fatalf("document of %d base64 characters, want about 1.5 MB", n)
		}
	}
}
