// Package manage is the operator console's administration pages: the risk
// engine's policies, shadow and lists, the loan product catalogue, and
// partner API credentials. It is a console.Section: its routes join the
// console's one route table (and its guard), its templates the console's
// layout.
package manage

import (
	"embed"
	"io/fs"
	"time"

	"creditpocket/internal/console"
	"creditpocket/internal/staff"
)

// Deps back the pages; a nil one shows its pages as unavailable.
type Deps struct {
	Risk     RiskAdmin    // risk.go
	Products ProductAdmin // products.go
	Partners PartnerAdmin // partners.go
	// Location is the business time zone dates in forms are read in.
	Location *time.Location
}

// Pages serves the administration pages.
type Pages struct{ d Deps }

//go:embed templates/*.html
var templateFS embed.FS

// Section is the pages as a console section, for console.Deps.Sections.
func Section(d Deps) console.Section {
	if d.Location == nil {
		d.Location = time.UTC
	}
	c := &Pages{d: d}
	templates, _ := fs.Sub(templateFS, "templates")
	return console.Section{Templates: templates, Routes: []console.SectionRoute{
		{Method: "GET", Path: "/console/risk", Perm: staff.ManageRisk, Handle: c.riskHome},
		{Method: "POST", Path: "/console/risk/policies", Perm: staff.ManageRisk, Handle: c.riskCandidate},
		{Method: "GET", Path: "/console/risk/policies/{version}", Perm: staff.ManageRisk, Handle: c.riskPolicy},
		{Method: "POST", Path: "/console/risk/shadow/stop", Perm: staff.ManageRisk, Handle: c.riskStopShadow},
		{Method: "GET", Path: "/console/risk/lists", Perm: staff.ManageRisk, Handle: c.riskLists},
		{Method: "POST", Path: "/console/risk/lists", Perm: staff.ManageRisk, Handle: c.riskListAdd},
		{Method: "POST", Path: "/console/risk/lists/{id}/remove", Perm: staff.ManageRisk, Handle: c.riskListRemove},

		{Method: "GET", Path: "/console/products", Perm: staff.ManageProducts, Handle: c.products},
		{Method: "POST", Path: "/console/products", Perm: staff.ManageProducts, Handle: c.productSave},
		{Method: "POST", Path: "/console/products/{id}/sale", Perm: staff.ManageProducts, Handle: c.productSale},

		{Method: "GET", Path: "/console/partners", Perm: staff.ManagePartners, Handle: c.partners},
		{Method: "POST", Path: "/console/partners", Perm: staff.ManagePartners, Handle: c.partnerCreate},
		{Method: "POST", Path: "/console/partners/{id}/revoke", Perm: staff.ManagePartners, Handle: c.partnerRevoke},
	}}
}
