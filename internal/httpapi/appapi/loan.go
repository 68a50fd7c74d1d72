package appapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/errs"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/identity"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/loan/repay"
	"creditpocket/internal/page"
	"creditpocket/internal/payment"
)

// Caps on the photos of an application.
const (
	maxPhotos     = 5
	maxPhotoBytes = 5 << 20
	maxApplyBody  = maxPhotos*maxPhotoBytes + 64<<10
	// applyMemoryFactor is what a byte of the application costs in memory:
	// the photo as read (with the slack of its growing buffer), and its
	// sealed copy for the blob store.
	applyMemoryFactor = 3
	maxMultipartIn    = 32 << 10 // form values kept in memory
)

// pageFirst is the page of loans apply answers with, as the seed does.
var pageFirst = page.Request{Num: 1, Size: page.DefaultSize}

var loanIDQuery = httpapi.Field{Name: "id", Type: "string", Required: true, Desc: "Loan id"}

func (s *api) loanRoutes() []httpapi.Route {
	if s.Loans == nil {
		return nil
	}
	rs := []httpapi.Route{
		{Method: "GET", Path: "/home/products", Tag: "Home", Summary: "Products on sale for the home screen (首页产品), with their price.",
			Response: "list of product", Handle: s.App(s.homeProducts)},
		{Method: "GET", Path: "/home/ticker", Tag: "Home", Summary: "The newest payouts, masked (时时贷款信息).",
			Response: "list of ticker", Handle: s.App(s.ticker)},
		{Method: "GET", Path: "/home/lastLoan", Tag: "Home", Summary: "The borrower's newest loan record, or null (最后一笔贷款查询).", Auth: true,
			Response: "loan record or null", Handle: s.Authed(s.latestLoan(false))},
		{Method: "GET", Path: "/loan/product/page", Tag: "Loans", Summary: "Products on sale, paged (贷款产品分页查询).",
			Query: pageFields, Response: "list of product", Handle: s.App(s.productPage)},
		{Method: "GET", Path: "/loan/product/detail", Tag: "Loans", Summary: "One product and its price (贷款产品详情查询).",
			Query: []httpapi.Field{{Name: "id", Type: "string", Required: true, Desc: "Product id, e.g. 301"}}, Response: "product", Handle: s.App(s.productDetail)},
		{Method: "POST", Path: "/loan/record/apply", Tag: "Loans", Auth: true,
			Summary: "Apply for a loan (贷款申请接口). Needs a complete profile and a default bank card (payout goes there); at most one unfinished loan per borrower (409 otherwise). The risk decision is made at once; an approved loan is paid out asynchronously (status 5 → 6 when the provider confirms). Answers the borrower's loans, newest first, as the seed does.",
			Multipart: []httpapi.Field{
				{Name: "id", Type: "string", Required: true, Desc: "Product id, e.g. 301"},
				{Name: "applyTerminal", Type: "string", Desc: "Terminal the app runs on (1 Android, 2 iOS, 3 web); default 1"},
				{Name: "files", Type: "array", Desc: fmt.Sprintf("Photos taken at application: JPEG or PNG, at most %d files of %d MiB each; stored encrypted", maxPhotos, maxPhotoBytes>>20)},
				{Name: "blackBox", Type: "string", Desc: "The device-fingerprint SDK's token, used against fraud (device velocity and lists). Only with deviceConsent=1; refused without it"},
				{Name: "deviceConsent", Type: "string", Desc: "1 when the borrower agreed in the app to device data being used against fraud; the consent is recorded on the loan", Enum: []string{"0", "1"}},
			}, Response: "list of loan record", Handle: s.Budgeted(applyMemoryFactor, maxApplyBody, s.Authed(s.apply))},
		{Method: "GET", Path: "/loan/record/page", Tag: "Loans", Summary: "The borrower's loans, newest first (用户历史贷款记录分页查询).", Auth: true,
			Query: pageFields, Response: "list of loan record", Handle: s.Authed(s.loanPage)},
		{Method: "GET", Path: "/loan/record/latestUnfinished", Tag: "Loans", Summary: "The borrower's unfinished loan, or null (获取最新的一条未结束的贷款记录).", Auth: true,
			Response: "loan record or null", Handle: s.Authed(s.latestLoan(true))},
		{Method: "GET", Path: "/loan/record/latest", Tag: "Loans", Summary: "The borrower's newest loan, or null (获取最新的一条贷款记录).", Auth: true,
			Response: "loan record or null", Handle: s.Authed(s.latestLoan(false))},
		{Method: "GET", Path: "/loan/record/repay", Tag: "Loans", Auth: true,
			Summary: "Repay a loan in full (用户主动还款接口): opens a checkout for everything outstanding and answers its reference and checkoutUrl. Calling it again while nothing changed answers the same checkout; if another checkout has superseded it since, it opens a new one (a loan has one open checkout at a time).",
			Query:   []httpapi.Field{loanIDQuery}, Response: "repayment", Handle: s.Authed(s.repayGet)},
		{Method: "POST", Path: "/loan/record/repay", Tag: "Loans", Auth: true,
			Summary: "Repay part or all of a loan, or pay for an extension. A loan has one open checkout at a time: a new one supersedes the open one (status superseded; the provider is told to cancel it), and checkouts close when the loan is settled (status closed); money that still arrives on a closed checkout repays the loan while it owes and is kept as borrower credit once it does not (status credited). An extension is bought once per cycle. Requires an Idempotency-Key header (1–128 characters): the same key with the same body answers the first checkout as it stands now (possibly superseded, closed or paid; never reopened); with a different body 409. Payments are allocated penalty → fee → interest → principal; anything beyond what is owed is kept as credit.",
			Body: []httpapi.Field{
				{Name: "id", Type: "string", Required: true, Desc: "Loan id"},
				{Name: "amount", Type: "string", Desc: "Minor units to pay; default everything outstanding (repay) or the extension cost (extend)"},
				{Name: "type", Type: "string", Desc: "What the payment is for (default repay). An extension costs the product's extension fee plus any penalty and moves the due date by one cycle", Enum: []string{"repay", "extend"}},
			}, Response: "repayment", Handle: s.Authed(s.repayPost)},
		{Method: "POST", Path: "/payment/webhook", Tag: "Payments",
			Summary:  "Payment provider webhook, signed with Standard Webhooks: webhook-id, webhook-timestamp (Unix seconds) and webhook-signature (\"v1,<base64 HMAC-SHA256 of id.timestamp.raw body>\" under the shared secret; several space-separated signatures are accepted, for rotating the secret). A missing or wrong signature, or a timestamp more than 5 minutes from the server's clock (a replay), is refused (401). The body is decoded strictly: a duplicate key at any depth or data after the JSON value is refused (400, naming it), as is data.amount above 10^15 minor units or more than the loan can absorb plus the configured surplus (400, field amount). The same event delivered many times, or out of order, is applied once.",
			Response: "webhook receipt", Handle: s.webhook},
		{Method: "GET", Path: "/ops/loans/review", Tag: "Operations", Summary: "Loans waiting for manual review, oldest first. Needs the operator token (CREDITPOCKET_OPS_TOKEN) as a Bearer token; refused while none is configured.",
			Query: pageFields, Response: "list of loan record", Handle: s.Ops(s.reviewQueue)},
		{Method: "GET", Path: "/ops/loans/{id}", Tag: "Operations", Summary: "One loan as the app shows it, with the id of its risk decision (open it with GET /ops/risk/decisions/{sequence_id}), when the borrower consented to device data, the borrower credit held (credit) and the loan's payments (payments: status superseded or closed for a checkout closed before it was paid, closedReason saying why, arrivedOnClosedCheckout for money that came on one anyway: applied to the debt while the loan owed, else kept as credit). Operator token required.",
			Response: "operator loan", Handle: s.Ops(s.opsLoan)},
		{Method: "POST", Path: "/ops/loans/{id}/approve", Tag: "Operations", Summary: "Approve a loan in manual review and start its payout; the reviewer is recorded (auditUserId). Operator token required.",
			Body: reviewFields, Response: "loan record", Handle: s.Ops(s.review(true))},
		{Method: "POST", Path: "/ops/loans/{id}/reject", Tag: "Operations", Summary: "Reject a loan in manual review (status 32); the reviewer is recorded. Operator token required.",
			Body: reviewFields, Response: "loan record", Handle: s.Ops(s.review(false))},
	}
	if s.Loans.Sandbox != nil {
		rs = append(rs,
			httpapi.Route{Method: "POST", Path: "/sandbox/payments/{reference}/complete", Tag: "Sandbox",
				Summary: "Simulate the borrower paying a checkout (full or partial) or a payout arriving now. The provider then reports it by signed webhook (only while the sandbox provider is active).",
				Body:    []httpapi.Field{{Name: "amount", Type: "string", Desc: "Minor units paid; default what the checkout asked"}}, Response: "null", Handle: s.App(s.sandboxComplete)},
			httpapi.Route{Method: "POST", Path: "/sandbox/payments/{reference}/fail", Tag: "Sandbox",
				Summary: "Simulate a failed charge or payout, reported by signed webhook (only while the sandbox provider is active). A payout failure carries a failure code: retriable codes are sent again automatically with backoff, the others wait for an operator (POST /ops/loans/{id}/payout/retry or /cancel).",
				Body: []httpapi.Field{{Name: "reason", Type: "string", Desc: "Failure reason"},
					{Name: "code", Type: "string", Desc: "A payout's failure code (default provider_error). timeout, insufficient_provider_balance and provider_error are retried automatically; invalid_account, account_closed and invalid_request are not", Enum: payment.FailureCodes()}},
				Response: "null", Handle: s.App(s.sandboxFail)},
			httpapi.Route{Method: "GET", Path: "/sandbox/checkout/{reference}", Tag: "Sandbox",
				Summary:  "The sandbox checkout page of a payment: what it asks for (only while the sandbox provider is active).",
				Response: "checkout", Handle: s.App(s.sandboxCheckout)},
		)
	}
	return rs
}

var reviewFields = []httpapi.Field{
	{Name: "reviewer", Type: "string", Required: true, Desc: "Who decides (recorded as auditUserId)"},
	{Name: "reason", Type: "string", Desc: "Why (auditUserReson)"},
}

// productView is a product with its price, amounts in minor units.
type productView struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Currency      string `json:"currency"`
	Balance       string `json:"balance"`
	ActualBalance string `json:"actualBalance"`
	Cycle         int    `json:"cycle"`
	InterestRate  string `json:"interestRate"` // ppm per day
	ServiceFee    int64  `json:"serviceFee"`
	SuffixFee     int64  `json:"suffixFee"`
	ShouldbackFee string `json:"shouldbackFee"`
	FeeMode       string `json:"feeMode"`
	PenaltyRate   string `json:"penaltyRate"` // ppm of principal per overdue day
	PenaltyCap    string `json:"penaltyCap"`  // most penalty over the loan's life
	ExtensionFee  string `json:"extensionFee"`
	LoanCount     int    `json:"loanCount"`
	OnSale        bool   `json:"onSale"`
}

func (s *api) productView(p loan.Product) (productView, error) {
	q, err := loan.Quote(p, time.Now())
	if err != nil {
		return productView{}, err
	}
	return productView{
		ID: p.ID, Name: p.Name, Currency: p.Currency, Balance: q.Principal.String(), ActualBalance: q.Disbursed.String(),
		Cycle: p.Cycle, InterestRate: strconv.FormatInt(int64(p.InterestRate), 10), ServiceFee: int64(q.ServiceFee),
		SuffixFee: int64(q.FeesDue), ShouldbackFee: q.Due.String(), FeeMode: string(p.FeeMode),
		PenaltyRate: strconv.FormatInt(int64(p.PenaltyRate), 10), PenaltyCap: q.PenaltyCap.String(),
		ExtensionFee: p.ExtensionFee.String(), LoanCount: p.MinSettledLoans, OnSale: p.OnSale,
	}, nil
}

func (s *api) productViews(ps []loan.Product) ([]productView, error) {
	out := make([]productView, 0, len(ps))
	for _, p := range ps {
		v, err := s.productView(p)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *api) homeProducts(r *http.Request) (any, error) {
	ps, err := s.Loans.Service.Products(r.Context(), false)
	if err != nil {
		return nil, err
	}
	return s.productViews(ps)
}

func (s *api) productPage(r *http.Request) (any, error) {
	p, err := httpapi.PageRequest(r)
	if err != nil {
		return nil, err
	}
	ps, err := s.Loans.Service.Products(r.Context(), false)
	if err != nil {
		return nil, err
	}
	total := len(ps)
	ps = ps[min(p.Offset(), total):min(p.Offset()+p.Limit(), total)]
	vs, err := s.productViews(ps)
	if err != nil {
		return nil, err
	}
	return httpapi.PageView{List: vs, Total: strconv.Itoa(total)}, nil
}

func (s *api) productDetail(r *http.Request) (any, error) {
	id := r.URL.Query().Get("id")
	if id == "" {
		return nil, errs.Required("id")
	}
	p, err := s.Loans.Service.Product(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return s.productView(*p)
}

type tickerView struct {
	Mobile     string `json:"mobile"` // masked
	Balance    string `json:"balance"`
	Cycle      int    `json:"cycle"`
	ArriveTime string `json:"arriveTime"`
}

func (s *api) ticker(r *http.Request) (any, error) {
	rs, err := s.Loans.Service.RecentDisbursed(r.Context(), 20)
	if err != nil {
		return nil, err
	}
	out := make([]tickerView, 0, len(rs))
	for _, l := range rs {
		out = append(out, tickerView{Mobile: maskMobile(l.Mobile), Balance: l.Pricing.Principal.String(), Cycle: l.Pricing.Cycle,
			ArriveTime: s.TimeText(l.DisbursedAt)})
	}
	return out, nil
}

func maskMobile(m string) string {
	if len(m) < 7 {
		return strings.Repeat("*", len(m))
	}
	return m[:3] + strings.Repeat("*", len(m)-6) + m[len(m)-3:]
}

// loanView is a loan record with every field of the seed's sample, with
// the same names and JSON types (some amounts strings, some numbers).
type loanView struct {
	ActualBalance        string `json:"actualBalance"`
	ActualbackAmt        string `json:"actualbackAmt"`
	AppCode              string `json:"appCode"`
	ApplyCity            string `json:"applyCity"`
	ApplyTerminal        int    `json:"applyTerminal"`
	ArriveTime           string `json:"arriveTime"`
	AuditRiskDetail      string `json:"auditRiskDetail"`
	AuditRiskReson       string `json:"auditRiskReson"`
	AuditRiskStatus      int    `json:"auditRiskStatus"`
	AuditRiskTime        string `json:"auditRiskTime"`
	AuditUserID          string `json:"auditUserId"`
	AuditUserReson       string `json:"auditUserReson"`
	AuditUserTime        string `json:"auditUserTime"`
	Balance              string `json:"balance"`
	BankAccNo            string `json:"bankAccNo"`  // masked
	BankCardNo           string `json:"bankCardNo"` // masked
	BankName             string `json:"bankName"`
	BankNo               string `json:"bankNo"`
	BankaccName          string `json:"bankaccName"`
	CouponCount          string `json:"couponCount"`
	CouponIDs            string `json:"couponIds"`
	CouponsFee           int    `json:"couponsFee"`
	CreatedTime          string `json:"createdTime"`
	Cycle                int    `json:"cycle"`
	DentityCard          string `json:"dentityCard"` // masked
	ExtensionStatus      int    `json:"extensionStatus"`
	Fee                  int    `json:"fee"`
	FeeGetway            int    `json:"feeGetway"`
	FeePercent           int    `json:"feePercent"`
	FeeType              int    `json:"feeType"`
	FirstName            string `json:"firstName"`
	HeadImgCode          string `json:"headImgCode"`
	ID                   string `json:"id"`
	IndentNo             string `json:"indentNo"`
	InitialrepaymentTime string `json:"initialrepaymentTime"`
	LastName             string `json:"lastName"`
	LastbackTime         string `json:"lastbackTime"`
	Limits               string `json:"limits"`
	LoanCount            int    `json:"loanCount"`
	LoanReason           int    `json:"loanReason"`
	MiddleName           string `json:"middleName"`
	Mobile               string `json:"mobile"`
	OverDays             string `json:"overDays"`
	OverdueFee           string `json:"overdueFee"`
	OverduePercent       int    `json:"overduePercent"`
	PayUserID            string `json:"payUserId"`
	ProductID            string `json:"productId"`
	Profit               string `json:"profit"`
	ReduceAmt            string `json:"reduceAmt"`
	RemainingAmount      string `json:"remainingAmount"`
	Repayment            any    `json:"repayment"` // 1 once a payment arrived, else "" (the seed mixes both)
	ServiceFee           int64  `json:"serviceFee"`
	ShouldbackFee        string `json:"shouldbackFee"`
	ShouldbackTime       string `json:"shouldbackTime"`
	ShouldbackFeeSnake   string `json:"shouldback_fee"`
	Status               int    `json:"status"`
	SuffixFee            int64  `json:"suffixFee"`
	TradeMode            int    `json:"tradeMode"`
	UID                  string `json:"uid"`
	UpdatedTime          string `json:"updatedTime"`
}

// feeType is the denominator of feePercent and overduePercent: they are
// the daily interest and penalty rates in parts per ten thousand.
const feeType = 10000

func (s *api) loanView(l loan.Record) loanView {
	var repayment any = ""
	if l.Received > 0 {
		repayment = 1
	}
	overDays, remaining := "", ""
	if l.OverDays > 0 {
		overDays = strconv.Itoa(l.OverDays)
	}
	if l.Status.Owing() {
		if t, err := l.Outstanding.Total(); err == nil {
			remaining = t.String()
		}
	}
	headImg := ""
	if len(l.Photos) > 0 {
		headImg = l.Photos[0]
	}
	appCode := s.Loans.AppCode
	if appCode == "" {
		appCode = "CycleCash"
	}
	return loanView{
		ActualBalance: l.PaidOut.String(), ActualbackAmt: l.Received.String(), AppCode: appCode,
		ApplyTerminal: l.ApplyTerminal, ArriveTime: s.TimeText(l.DisbursedAt),
		AuditRiskDetail: l.RiskDetail, AuditRiskReson: l.RiskReason, AuditRiskStatus: int(l.AuditRiskStatus),
		AuditRiskTime: s.TimeText(l.DecidedAt), AuditUserID: orZero(l.AuditUserID), AuditUserReson: l.AuditUserReason,
		AuditUserTime: s.TimeText(l.AuditUserAt), Balance: l.Pricing.Principal.String(),
		BankAccNo: l.Card.AccountMask, BankCardNo: l.Card.PANMask, BankName: l.Card.BankName, BankNo: l.Card.BankCode,
		BankaccName: l.Card.AccountName, CreatedTime: s.TimeText(l.AppliedAt), Cycle: l.Pricing.Cycle,
		DentityCard: l.IDMask, ExtensionStatus: l.ExtensionStatus(),
		FeePercent: int(l.Product.InterestRate * feeType / loan.PerMillion), FeeType: feeType,
		FirstName: l.First, HeadImgCode: headImg, ID: l.ID.String(), IndentNo: s.indentNo(l),
		InitialrepaymentTime: s.TimeText(l.InitialDueAt), LastName: l.Last, LastbackTime: s.TimeText(l.LastPaidAt),
		LoanCount: l.LoanCount, MiddleName: l.Middle, Mobile: l.Mobile, OverDays: overDays,
		OverdueFee: l.PenaltyCharged.String(), OverduePercent: int(l.Product.PenaltyRate * feeType / loan.PerMillion),
		PayUserID: "0", ProductID: l.Pricing.ProductID, ReduceAmt: "0", RemainingAmount: remaining, Repayment: repayment,
		ServiceFee: int64(l.Pricing.ServiceFee), ShouldbackFee: l.Pricing.Due.String(),
		ShouldbackTime: s.TimeText(l.DueAt), ShouldbackFeeSnake: l.Pricing.Due.String(), Status: int(l.Status),
		SuffixFee: int64(l.Pricing.FeesDue), TradeMode: 1, UID: strconv.FormatInt(l.UserID, 10), UpdatedTime: s.TimeText(l.UpdatedAt),
	}
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// indentNo is the order number: CL, the application date (YYMMDD) and the
// loan id, e.g. CL220115151776.
func (s *api) indentNo(l loan.Record) string {
	return "CL" + l.AppliedAt.In(s.Location).Format("060102") + fmt.Sprintf("%06s", l.ID)
}

func (s *api) latestLoan(unfinished bool) httpapi.AuthedFunc {
	return func(r *http.Request, sess *account.Session) (any, error) {
		l, err := s.Loans.Service.Latest(r.Context(), sess.UserID, unfinished)
		if err != nil || l == nil {
			return nil, err
		}
		return s.loanView(*l), nil
	}
}

func (s *api) loanPage(r *http.Request, sess *account.Session) (any, error) {
	p, err := httpapi.PageRequest(r)
	if err != nil {
		return nil, err
	}
	res, err := s.Loans.Service.Loans(r.Context(), sess.UserID, p)
	if err != nil {
		return nil, err
	}
	return httpapi.ListOf(res.Items, res.Total, s.loanView), nil
}

func (s *api) apply(r *http.Request, sess *account.Session) (any, error) {
	in, err := readApplication(r)
	if err != nil {
		return nil, err
	}
	in.UserID = sess.UserID
	in.Device.IP = clientIP(r)
	if _, err := s.Loans.Service.Apply(r.Context(), in); err != nil {
		return nil, err
	}
	res, err := s.Loans.Service.Loans(r.Context(), sess.UserID, pageFirst)
	if err != nil {
		return nil, err
	}
	return httpapi.ListOf(res.Items, res.Total, s.loanView), nil
}

// readApplication parses the multipart application, streaming each file
// under its cap and sniffing it as a photo.
func readApplication(r *http.Request) (loan.ApplyInput, error) {
	var in loan.ApplyInput
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return in, errs.InvalidField("Content-Type", "must be multipart/form-data with a boundary")
	}
	body := http.MaxBytesReader(nil, r.Body, maxApplyBody)
	mr := multipart.NewReader(body, params["boundary"])
	in.ApplyTerminal = 1
	var formBytes int
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if httpapi.MemoryBusy(r, err) {
				return in, httpapi.ErrMemoryBusy
			}
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return in, &errs.Error{Code: errs.TooLarge, Field: "body", Message: fmt.Sprintf("must be at most %d bytes", maxApplyBody)}
			}
			return in, errs.InvalidField("body", "is not valid multipart/form-data")
		}
		name := part.FormName()
		if name == "files" || name == "files[]" || part.FileName() != "" {
			if len(in.Photos) == maxPhotos {
				return in, &errs.Error{Code: errs.TooLarge, Field: "files", Message: fmt.Sprintf("at most %d photos", maxPhotos)}
			}
			data, err := io.ReadAll(io.LimitReader(part, maxPhotoBytes+1))
			if err != nil {
				if httpapi.MemoryBusy(r, err) {
					return in, httpapi.ErrMemoryBusy
				}
				return in, errs.InvalidField("files", "could not be read")
			}
			if len(data) > maxPhotoBytes {
				return in, &errs.Error{Code: errs.TooLarge, Field: "files", Message: fmt.Sprintf("each photo must be at most %d MiB", maxPhotoBytes>>20)}
			}
			if len(data) == 0 {
				continue // the app sends an empty part when no photo was taken
			}
			if _, err := identity.CheckFile(data, identity.JPEG, identity.PNG); err != nil {
				return in, errs.InvalidField("files", "photo %d: %v", len(in.Photos)+1, err)
			}
			in.Photos = append(in.Photos, data)
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, 257))
		if err != nil || len(v) > 256 {
			return in, errs.InvalidField(name, "must be at most 256 bytes")
		}
		if formBytes += len(v); formBytes > maxMultipartIn {
			return in, errs.InvalidField("body", "too many form fields")
		}
		switch name {
		case "id":
			in.ProductID = strings.TrimSpace(string(v))
		case "applyTerminal":
			t := strings.TrimSpace(string(v))
			if t == "" {
				continue
			}
			n, err := strconv.Atoi(t)
			if err != nil || n < 0 || n > 99 {
				return in, errs.InvalidField("applyTerminal", "must be a whole number 0–99")
			}
			in.ApplyTerminal = n
		case "blackBox":
			in.Device.Fingerprint = strings.TrimSpace(string(v))
		case "deviceConsent":
			switch strings.TrimSpace(string(v)) {
			case "1", "true":
				in.Device.Consent = true
			case "", "0", "false":
			default:
				return in, errs.InvalidField("deviceConsent", "must be 1 (the borrower agreed) or 0")
			}
		default:
			return in, errs.InvalidField(name, "is not a known field")
		}
	}
	if in.ProductID == "" {
		return in, errs.Required("id")
	}
	return in, nil
}

// repayView is an opened repayment checkout.
type repayView struct {
	Reference   string `json:"reference"`
	CheckoutURL string `json:"checkoutUrl"`
	LoanID      string `json:"id"`
	Type        string `json:"type"` // repay | extend
	Amount      string `json:"amount"`
	Status      string `json:"status"` // pending | success | failed | superseded | closed | credited
	CreatedTime string `json:"createdTime"`
}

func (s *api) repayView(p *loan.Payment) repayView {
	typ := "repay"
	if p.Kind == loan.PayExtension {
		typ = "extend"
	}
	return repayView{Reference: p.Reference, CheckoutURL: p.CheckoutURL, LoanID: p.LoanID.String(), Type: typ,
		Amount: p.Amount.String(), Status: p.Status, CreatedTime: s.TimeText(p.CreatedAt)}
}

// repayGet opens a full repayment. Its idempotency key is derived from
// the loan and what it owes, so repeating the GET answers the same
// checkout until a payment changes the debt.
func (s *api) repayGet(r *http.Request, sess *account.Session) (any, error) {
	id, err := loan.ParseID("id", r.URL.Query().Get("id"))
	if err != nil {
		return nil, err
	}
	l, err := s.Loans.Service.Loan(r.Context(), sess.UserID, id)
	if err != nil {
		return nil, err
	}
	owed, err := l.Outstanding.Total()
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("get:%s:%d:%d", l.ID, owed, l.Version)
	// A checkout a GET opened and a later checkout superseded is not
	// answered again: the next key names it, so a repeated GET opens one
	// new checkout and then keeps answering that one.
	key := base
	var p *loan.Payment
	for range maxGetChain {
		if p, err = s.Loans.Payments.Repay(r.Context(), repay.Input{UserID: sess.UserID, LoanID: l.ID, IdempotencyKey: key, RequestHash: base}); err != nil {
			return nil, err
		}
		if p.Status != loan.PaySuperseded {
			break
		}
		key = base + ":" + p.Reference
	}
	return s.repayView(p), nil
}

// loanIDOf reads a loan id sent in a JSON body as a string (the app's ids
// are strings) or a number, by loan.ParseID's rule either way.
func loanIDOf(field string, raw json.RawMessage) (loan.ID, error) {
	text := string(raw)
	if text == "null" {
		text = ""
	} else if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, errs.InvalidField(field, "must be a string or a number")
		}
	}
	return loan.ParseID(field, text)
}

// maxGetChain bounds the superseded checkouts a GET /loan/record/repay
// steps over.
const maxGetChain = 8

type repayReq struct {
	ID     json.RawMessage `json:"id"`
	Amount string          `json:"amount"`
	Type   string          `json:"type"`
}

func (s *api) repayPost(r *http.Request, sess *account.Session) (any, error) {
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if key == "" {
		return nil, errs.Required("Idempotency-Key")
	}
	var req repayReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	id, err := loanIDOf("id", req.ID)
	if err != nil {
		return nil, err
	}
	in := repay.Input{UserID: sess.UserID, LoanID: id, IdempotencyKey: key}
	if req.Amount != "" {
		if in.Amount, err = ledger.ParseAmount(req.Amount); err != nil {
			return nil, errs.InvalidField("amount", "%v", err)
		}
	}
	switch req.Type {
	case "", "repay":
	case "extend":
		in.Extend = true
	default:
		return nil, errs.InvalidField("type", "must be repay or extend")
	}
	// The hash is of the decoded request, so whitespace or key order do
	// not make a replay look like a different request.
	canon, _ := json.Marshal([]any{in.LoanID.String(), in.Amount, in.Extend})
	sum := sha256.Sum256(canon)
	in.RequestHash = hex.EncodeToString(sum[:])
	p, err := s.Loans.Payments.Repay(r.Context(), in)
	if err != nil {
		return nil, err
	}
	return s.repayView(p), nil
}
