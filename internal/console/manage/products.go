package manage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"creditpocket/internal/console"
	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
)

// ProductAdmin is the loan product catalogue (loan.Service).
type ProductAdmin interface {
	Products(ctx context.Context, all bool) ([]loan.Product, error)
	Product(ctx context.Context, id string) (*loan.Product, error) // errs.NotFound
	SaveProduct(ctx context.Context, p loan.Product) error
}

// productRow is a product with the price a loan of it gets today.
type productRow struct {
	loan.Product
	Price loan.Pricing
}

func (c *Pages) productAdmin() (ProductAdmin, error) {
	if c.d.Products == nil {
		return nil, errs.E(errs.Unavailable, "the loan engine is not wired into this console")
	}
	return c.d.Products, nil
}

// products lists the catalogue with each product's price, and a form to
// add a product or change one (?edit=ID fills it in).
func (c *Pages) products(q *console.Page) error {
	var form *loan.Product
	if id := q.R.URL.Query().Get("edit"); id != "" {
		pa, err := c.productAdmin()
		if err != nil {
			return err
		}
		if form, err = pa.Product(q.Context(), id); err != nil {
			return err
		}
	}
	return c.showProducts(q, http.StatusOK, form, "")
}

func (c *Pages) showProducts(q *console.Page, code int, form *loan.Product, message string) error {
	pa, err := c.productAdmin()
	if err != nil {
		return err
	}
	ps, err := pa.Products(q.Context(), true)
	if err != nil {
		return err
	}
	rows := make([]productRow, 0, len(ps))
	for _, p := range ps {
		pr, err := loan.Quote(p, q.Now())
		if err != nil {
			return fmt.Errorf("console: price product %s: %w", p.ID, err)
		}
		rows = append(rows, productRow{Product: p, Price: pr})
	}
	if form == nil {
		form = &loan.Product{Currency: "NGN", FeeMode: loan.FeeSuffix, OnSale: true}
	}
	q.Render(code, "products", map[string]any{
		"Products": rows, "Form": form, "Message": message,
		"FeeModes": []loan.FeeMode{loan.FeeSuffix, loan.FeePrefix},
	})
	return nil
}

// productSave adds or changes a product from the form. Money is entered
// in minor units and rates in parts per million, as the product stores
// them, so nothing is rounded on the way in.
func (c *Pages) productSave(q *console.Page) error {
	pa, err := c.productAdmin()
	if err != nil {
		return err
	}
	f := q.R.PostFormValue
	p := loan.Product{
		ID: strings.TrimSpace(f("id")), Name: strings.TrimSpace(f("name")),
		Currency: strings.ToUpper(strings.TrimSpace(f("currency"))), FeeMode: loan.FeeMode(f("feeMode")),
		OnSale: f("onSale") != "",
	}
	var ferr error
	num := func(field string) int64 {
		n, err := strconv.ParseInt(strings.TrimSpace(f(field)), 10, 64)
		if err != nil && ferr == nil {
			ferr = errs.InvalidField(field, "must be a whole number")
		}
		return n
	}
	// Amounts are bounded here, naming the form's field, as at every edge
	// money enters by (ledger.MaxAmount).
	money := func(field string) ledger.Money {
		m, err := ledger.ParseMoney(strings.TrimSpace(f(field)))
		if err == nil {
			err = ledger.CheckAmount(m)
		} else {
			err = errors.New("must be a whole number of minor units")
		}
		if err != nil && ferr == nil {
			ferr = errs.InvalidField(field, "%v", err)
		}
		return m
	}
	p.Principal, p.ServiceFee, p.ExtensionFee = money("principal"), money("serviceFee"), money("extensionFee")
	p.InterestRate, p.PenaltyRate, p.PenaltyCap = loan.Rate(num("interestRate")), loan.Rate(num("penaltyRate")), loan.Rate(num("penaltyCap"))
	p.Cycle, p.MinSettledLoans = int(num("cycle")), int(num("minSettled"))
	if ferr == nil {
		ferr = pa.SaveProduct(q.Context(), p)
	}
	if ferr != nil {
		if errs.ErrorCode(ferr).HTTPStatus() == http.StatusBadRequest {
			return c.showProducts(q, http.StatusBadRequest, &p, errs.Message(ferr))
		}
		return ferr
	}
	if err := q.Audit("product.save", p.ID, fmt.Sprintf("%s: %s %d over %d days, on sale %t", p.Name, p.Currency, p.Principal, p.Cycle, p.OnSale)); err != nil {
		return err
	}
	return q.Redirect("/console/products")
}

// productSale puts a product on sale or takes it off.
func (c *Pages) productSale(q *console.Page) error {
	pa, err := c.productAdmin()
	if err != nil {
		return err
	}
	p, err := pa.Product(q.Context(), q.R.PathValue("id"))
	if err != nil {
		return err
	}
	p.OnSale = q.R.PostFormValue("onSale") == "1"
	if err := pa.SaveProduct(q.Context(), *p); err != nil {
		return err
	}
	if err := q.Audit("product.sale", p.ID, fmt.Sprintf("on sale %t", p.OnSale)); err != nil {
		return err
	}
	return q.Redirect("/console/products")
}
