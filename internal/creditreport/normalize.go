package creditreport

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// valueKind says how Normalize types a leaf; the leaf's key decides it, since
// the contract reuses each key with one meaning throughout.
type valueKind int

const (
	kindText valueKind = iota
	kindAmount
	kindCount
	kindDate
	kindDateTime
	kindMonthRange
)

// leafKinds lists every non-text key of the contract. Keys not listed are
// text. The package documentation repeats this table for readers.
var leafKinds = func() map[string]valueKind {
	m := map[string]valueKind{"reportTime": kindDateTime, "dateRange": kindMonthRange}
	for _, k := range strings.Fields(`
		surplusAmount refundAmount creditorAmount extensionAmount avg6monthPay
		maxAmountPerCompany minAmountPerCompany usedAmount avg6monthUsedAmount
		avg6monthOverdraftAmount guaranteeAmount refundDutyAmount debtAmount
		referenceAmount maxAmountPerMonth scheduledPayment realPayed
		currOverdueAmount overdue31Tp60 overdue61Tp90 overdue91Tp180 overdue180
		accountExtensionAmount sharedExtensionAmount
		unspecifiedLargeAmountSpecificPeriodAmount maxUsedAmount periodAmount
		usedPeriodAmount overDraftAmount latest6MonthsAvgOverDraftAmount
		maxOverDraftAmount overDraft180UnpayedAmount occurAmount
		extensionLimitAmount owingTaxAmount litigationAmount
		applyExecuteSubjectValue executedSubjectAmount penaltyAmount
		amountPerMonth familyIncomePerMonth curDebtAmount overdueAmount
		debitInterestAmount payedAmount closingAmount applyExecuteSubjectAmount
		payableAmount paidAmount amount`) {
		m[k] = kindAmount
	}
	for _, k := range strings.Fields(`
		accountNum totalAccountNum monthNum maxOverdueMonthNum manageCompanyNum
		companyNum recordNum number loanApproval creditApproval selfQuery
		managerAfterLoan guaranteeInvestigate bespokeMerchantsRealNameInvestigate
		refundPeriodNum surplusPaymentNum currOverduePeriods surplusPeriodsNum
		changeMonthNum overdueMonthNum overdueDays monthValue year
		digitExplication`) {
		m[k] = kindCount
	}
	for _, k := range strings.Fields(`
		birthday updateAt startDate endDate deadlineDate dueDate latestRepayDate
		accountClosedDate transferDate refundDate canceledDate inactiveDueDate
		creditorReceivedDate periodAmountEffectiveDate periodAmountDueDate
		effectDate addDate date fillingDate closingEffectDate closingDate
		owingTaxStatsDate contributionDate firstContributionDate
		contributionDueDate applyDate agreeDate gotDate revocationDate
		realPayedDate restrictionOutboundStartDate restrictionOutboundEndDate
		latestPaidDate firstGotAt accountDate startedAt scheduledPayAt billDate`) {
		m[k] = kindDate
	}
	return m
}()

// Normalize returns r as a JSON-shaped tree (maps, slices and scalars) with
// typed leaves: amounts as int64 minor units (fen), counts as int64, dates
// as ISO-8601 strings, and "--" or "" as null for typed leaves and "" for
// text. The package documentation lists every key's kind. A value that does
// not parse as its kind is an error naming the leaf's path.
func Normalize(r *Report) (map[string]any, error) {
	raw, err := Marshal(r)
	if err != nil {
		return nil, err
	}
	return NormalizeJSON(raw)
}

// NormalizeJSON is Normalize for contract JSON that has not been decoded
// into a Report, such as another engine's output.
func NormalizeJSON(data []byte) (map[string]any, error) {
	var tree map[string]any
	if err := json.Unmarshal(data, &tree); err != nil {
		return nil, fmt.Errorf("creditreport: normalize: %w", err)
	}
	for k, v := range tree {
		nv, err := normalizeNode(k, k, v)
		if err != nil {
			return nil, err
		}
		tree[k] = nv
	}
	return tree, nil
}

func normalizeNode(path, key string, v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			nv, err := normalizeNode(path+"."+k, k, child)
			if err != nil {
				return nil, err
			}
			v[k] = nv
		}
		return v, nil
	case []any:
		for i, child := range v {
			nv, err := normalizeNode(fmt.Sprintf("%s[%d]", path, i), key, child)
			if err != nil {
				return nil, err
			}
			v[i] = nv
		}
		return v, nil
	case string:
		nv, err := normalizeLeaf(leafKinds[key], v)
		if err != nil {
			return nil, fmt.Errorf("creditreport: normalize %s: %w", path, err)
		}
		return nv, nil
	default:
		return v, nil
	}
}

// normalizeLeaf types one printed value. Stray spaces and full-width digits
// are layout noise, so they are removed before parsing.
func normalizeLeaf(kind valueKind, s string) (any, error) {
	s = strings.TrimSpace(s)
	if isNoValue(s) {
		if kind == kindText {
			return "", nil
		}
		return nil, nil
	}
	compact := strings.Join(strings.Fields(toHalfWidth(s)), "")
	switch kind {
	case kindAmount:
		return ParseAmount(compact)
	case kindCount:
		n, err := strconv.ParseInt(strings.ReplaceAll(compact, ",", ""), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("count %q: not an integer", s)
		}
		return n, nil
	case kindDate:
		return ParseDate(compact)
	case kindDateTime:
		date, clock, ok := strings.Cut(toHalfWidth(s), " ")
		d, err := ParseDate(date)
		if err != nil || !ok || !clockRE.MatchString(strings.TrimSpace(clock)) {
			return nil, fmt.Errorf("date-time %q: want YYYY.MM.DD HH:MM:SS", s)
		}
		return d + "T" + strings.TrimSpace(clock), nil
	case kindMonthRange:
		return parseMonthRange(compact)
	}
	return s, nil
}

func isNoValue(s string) bool {
	switch s {
	case "", "--", "-", "—", "－", "——":
		return true
	}
	return false
}

var clockRE = regexp.MustCompile(`^\d{2}:\d{2}:\d{2}$`)

// ParseAmount converts a printed amount ("500,000", "1,234.5", "-20") to
// int64 minor units (fen).
func ParseAmount(s string) (int64, error) {
	t := strings.ReplaceAll(s, ",", "")
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(t, "-")
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" || len(frac) > 2 || len(whole) > 15 || !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("amount %q: not a decimal amount", s)
	}
	frac += strings.Repeat("0", 2-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, err)
	}
	if neg {
		n = -n
	}
	return n, nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

var dateRE = regexp.MustCompile(`^(\d{4})(?:年|[.\-/])?(?:(\d{1,2})(?:月|[.\-/])?(?:(\d{1,2})日?)?)?$`)

// ParseDate converts a printed date to ISO-8601 at the precision printed:
// "2015.05.05" and "2015年05月05日" to "2015-05-05", "2015.05" to "2015-05",
// "2015" to "2015".
func ParseDate(s string) (string, error) {
	m := dateRE.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf("date %q: not a date", s)
	}
	out := m[1]
	if m[2] != "" {
		mon, _ := strconv.Atoi(m[2])
		if mon < 1 || mon > 12 {
			return "", fmt.Errorf("date %q: month out of range", s)
		}
		out += fmt.Sprintf("-%02d", mon)
	}
	if m[3] != "" {
		day, _ := strconv.Atoi(m[3])
		if day < 1 || day > 31 {
			return "", fmt.Errorf("date %q: day out of range", s)
		}
		out += fmt.Sprintf("-%02d", day)
	}
	return out, nil
}

// parseMonthRange converts "2010年07月-2015年05月" (any dash) to
// "2010-07/2015-05", the ISO-8601 interval form.
func parseMonthRange(s string) (string, error) {
	for _, dash := range []string{"——", "—", "－", "--", "-", "~", "至"} {
		if from, to, ok := strings.Cut(s, dash); ok && strings.HasSuffix(from, "月") {
			a, err1 := ParseDate(from)
			b, err2 := ParseDate(to)
			if err1 == nil && err2 == nil {
				return a + "/" + b, nil
			}
		}
	}
	return "", fmt.Errorf("month range %q: want YYYY年MM月-YYYY年MM月", s)
}

// toHalfWidth maps full-width ASCII (digits, punctuation) to half-width.
func toHalfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' {
			return r - '！' + '!'
		}
		if r == '\u3000' {
			return ' '
		}
		return r
	}, s)
}
