package partnerdb_test

import (
	"testing"

	"creditpocket/internal/partner"
	"creditpocket/internal/partner/partnertest"
	"creditpocket/internal/store"
	"creditpocket/internal/store/partnerdb"
	"creditpocket/internal/store/storetest"
)

func TestStoreConformsToPartnerStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		partnertest.Exercise(t, func(t *testing.T) partner.Store { return partnerdb.New(storetest.Open(t, e)) })
	})
}
