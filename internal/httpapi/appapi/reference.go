package appapi

import (
	"net/http"
	"strconv"

	"creditpocket/internal/errs"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/identity"
	"creditpocket/internal/reference"
	"creditpocket/internal/sms"
)

type bankView struct {
	BankNo   string `json:"bankNo"`
	BankName string `json:"bankName"`
	Country  string `json:"country"`
}

func (s *api) banks(r *http.Request) (any, error) {
	bs, err := s.Reference.Banks(r.Context())
	if err != nil {
		return nil, err
	}
	return httpapi.ListOf(bs, int64(len(bs)), func(b reference.Bank) bankView {
		return bankView{BankNo: b.Code, BankName: b.Name, Country: b.Country}
	}), nil
}

type cityView struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	State string `json:"state"`
}

func (s *api) cities(r *http.Request) (any, error) {
	p, err := httpapi.PageRequest(r)
	if err != nil {
		return nil, err
	}
	state := r.URL.Query().Get("state")
	if len(state) > 100 {
		return nil, errs.InvalidField("state", "must be at most 100 characters")
	}
	res, err := s.Reference.Cities(r.Context(), state, p)
	if err != nil {
		return nil, err
	}
	return httpapi.ListOf(res.Items, res.Total, func(c reference.City) cityView { return cityView(c) }), nil
}

type incomeView struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Min   string `json:"min"` // minor units
	Max   string `json:"max"` // minor units; "0" means no upper bound
}

func (s *api) incomes(r *http.Request) (any, error) {
	bs, err := s.Reference.IncomeBands(r.Context())
	if err != nil {
		return nil, err
	}
	return httpapi.ListOf(bs, int64(len(bs)), func(b reference.IncomeBand) incomeView {
		return incomeView{Code: b.Code, Label: b.Label, Min: strconv.FormatInt(b.Min, 10), Max: strconv.FormatInt(b.Max, 10)}
	}), nil
}

type questionView struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

func (s *api) hotQuestions(r *http.Request) (any, error) {
	p, err := httpapi.PageRequest(r)
	if err != nil {
		return nil, err
	}
	res, err := s.Reference.HotQuestions(r.Context(), p)
	if err != nil {
		return nil, err
	}
	return httpapi.ListOf(res.Items, res.Total, func(q reference.HotQuestion) questionView {
		return questionView{ID: strconv.FormatInt(q.ID, 10), Question: q.Question, Answer: q.Answer}
	}), nil
}

type phoneView struct {
	Phone string `json:"phone"`
	Label string `json:"label"`
}

func (s *api) supportPhones(r *http.Request) (any, error) {
	ps, err := s.Reference.SupportPhones(r.Context())
	if err != nil {
		return nil, err
	}
	return httpapi.ListOf(ps, int64(len(ps)), func(p reference.SupportPhone) phoneView { return phoneView(p) }), nil
}

type emailView struct {
	Email string `json:"email"`
}

func (s *api) supportEmail(r *http.Request) (any, error) {
	e, err := s.Reference.Setting(r.Context(), reference.SettingSupportEmail)
	if err != nil {
		return nil, err
	}
	return emailView{Email: e}, nil
}

type smsView struct {
	ID          string `json:"id"`
	Phone       string `json:"phone"`
	Content     string `json:"content"`
	CreatedTime string `json:"createdTime"`
}

// sandboxSMS lists the messages the sandbox SMS provider "sent" to a phone.
// It is only routed while the sandbox is the active provider.
func (s *api) sandboxSMS(r *http.Request) (any, error) {
	phone := r.URL.Query().Get("phone")
	if phone == "" {
		return nil, errs.Required("phone")
	}
	if len(phone) < 6 || len(phone) > 15 || !identity.Digits(phone) {
		return nil, errs.InvalidField("phone", "must be E.164 digits without '+', e.g. 2347068425023")
	}
	ms, err := s.SMS.Sent(r.Context(), phone, 20)
	if err != nil {
		return nil, err
	}
	return httpapi.ListOf(ms, int64(len(ms)), func(m sms.Message) smsView {
		return smsView{ID: strconv.FormatInt(m.ID, 10), Phone: m.Phone, Content: m.Body, CreatedTime: s.TimeText(m.CreatedAt)}
	}), nil
}
