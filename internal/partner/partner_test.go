package partner_test

import (
	"context"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/partner"
)

func TestCreateValidates(t *testing.T) {
	svc := &partner.Service{}
	for _, in := range []partner.CreateInput{
		{Name: "", Scopes: []partner.Scope{partner.ScopeOCR}},
		{Name: "x", Scopes: nil},
		{Name: "x", Scopes: []partner.Scope{"admin"}},
		{Name: "x", Scopes: []partner.Scope{partner.ScopeOCR}, Quota: -1},
		{Name: "x", Scopes: []partner.Scope{partner.ScopeOCR}, ExpiresAt: time.Now().Add(-time.Hour)},
	} {
		if _, _, err := svc.Create(context.Background(), in); !errs.Is(err, errs.Invalid) {
			t.Errorf("Create(%+v) err = %v", in, err)
		}
	}
	if _, err := partner.ParseScopes("ocr, kyc"); err != nil {
		t.Fatal(err)
	}
	if _, err := partner.ParseScopes("ocr,admin"); err == nil {
		t.Fatal("admin scope accepted")
	}
}
