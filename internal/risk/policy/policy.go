package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
	"gopkg.in/yaml.v3"
)

// Decision is the outcome of a rule, a policy set or a whole decision.
type Decision string

// Decisions, from best to worst.
const (
	Accept Decision = "Accept"
	Review Decision = "Review"
	Reject Decision = "Reject"
)

// rank orders decisions so "worst" is a max.
func (d Decision) rank() int {
	switch d {
	case Accept:
		return 1
	case Review:
		return 2
	case Reject:
		return 3
	}
	return 0
}

// Mode is how a policy set turns its hit rules into a decision.
type Mode string

// Policy set modes, as in the TrustDecision console.
const (
	// FirstMatch: rules are tried in order; the first hit decides and the
	// rest are not evaluated.
	FirstMatch Mode = "FirstMatch"
	// WorstMatch: every rule is evaluated; the worst decision among hits
	// wins and the set's score is the sum of hit scores.
	WorstMatch Mode = "WorstMatch"
	// Weighted: every rule is evaluated; hit scores are summed and the
	// set's thresholds turn the sum into a decision.
	Weighted Mode = "Weighted"
)

// MaxDocumentBytes caps a policy document.
const MaxDocumentBytes = 1 << 20

// maxRuleNodes bounds the size of one rule expression, so a policy cannot
// make every decision slow.
const maxRuleNodes = 200

// Policy is a compiled, immutable policy version. It is safe for
// concurrent use.
type Policy struct {
	Version string
	Name    string
	Source  []byte // the YAML it was compiled from, for audit and replay

	// Indexed by Decision.rank: the reason for a final decision no rule
	// explains (e.g. an Accept without hits), and the borrower-facing detail.
	reasons [4]string
	details [4]string
	sets    []*policySet
}

type policySet struct {
	uuid, name string
	mode       Mode
	conclusive bool
	thresholds []threshold
	rules      []*rule
}

type threshold struct {
	score    int
	decision Decision
	reason   string
}

type rule struct {
	id, name string
	decision Decision
	score    int
	reason   string
	program  *vm.Program
	features []featureProbe
}

// featureProbe reads one feature a rule refers to, to show the values that
// made it fire.
type featureProbe struct {
	name    string
	program *vm.Program
}

// Document shapes, decoded strictly.
type (
	policyDoc struct {
		Version    string              `yaml:"version"`
		Name       string              `yaml:"name"`
		Reasons    map[Decision]string `yaml:"reasons"`
		Details    map[Decision]string `yaml:"details"`
		PolicySets []policySetDoc      `yaml:"policy_sets"`
	}
	policySetDoc struct {
		UUID       string         `yaml:"uuid"`
		Name       string         `yaml:"name"`
		Mode       Mode           `yaml:"mode"`
		Conclusive bool           `yaml:"conclusive"`
		Thresholds []thresholdDoc `yaml:"thresholds"`
		Rules      []ruleDoc      `yaml:"rules"`
	}
	thresholdDoc struct {
		Score    int      `yaml:"score"`
		Decision Decision `yaml:"decision"`
		Reason   string   `yaml:"reason"`
	}
	ruleDoc struct {
		ID       string   `yaml:"id"`
		Name     string   `yaml:"name"`
		When     string   `yaml:"when"`
		Decision Decision `yaml:"decision"`
		Score    int      `yaml:"score"`
		Reason   string   `yaml:"reason"`
	}
)

// Error says what is wrong with a policy document and where.
type Error struct {
	Version string // as far as it was read
	Where   string // e.g. `set "Lists" rule L001`; empty for the document
	Problem string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("policy")
	if e.Version != "" {
		fmt.Fprintf(&b, " %s", e.Version)
	}
	if e.Where != "" {
		fmt.Fprintf(&b, ": %s", e.Where)
	}
	fmt.Fprintf(&b, ": %s", e.Problem)
	return b.String()
}

// Compile parses a YAML policy document and compiles every rule against
// env: a struct value whose fields, named by their `expr` tags, are the
// features a rule may read. A rule that does not parse, refers to a
// feature that does not exist, or is not a boolean is refused with an
// *Error naming the rule.
func Compile(src []byte, env any) (*Policy, error) {
	if len(src) > MaxDocumentBytes {
		return nil, &Error{Problem: fmt.Sprintf("document is larger than %d bytes", MaxDocumentBytes)}
	}
	envType := reflect.TypeOf(env)
	if envType == nil || envType.Kind() != reflect.Struct {
		panic(fmt.Sprintf("policy: the environment must be a struct value, got %T", env))
	}
	var doc policyDoc
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Problem: "document is empty"}
		}
		return nil, &Error{Problem: "not valid YAML: " + err.Error()}
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{Version: doc.Version, Problem: "one YAML document expected, found more after ---"}
	}
	c := compiler{p: &Policy{Version: doc.Version, Name: doc.Name, Source: bytes.Clone(src)}, env: env, features: featureNamesOf(envType), ruleIDs: map[string]bool{}}
	c.document(&doc)
	if c.err != nil {
		return nil, c.err
	}
	return c.p, nil
}

type compiler struct {
	p        *Policy
	env      any
	features map[string]bool // the env's feature names
	err      *Error
	ruleIDs  map[string]bool
	probes   map[string]*vm.Program
}

func (c *compiler) fail(where, problem string, args ...any) {
	if c.err == nil {
		c.err = &Error{Version: c.p.Version, Where: where, Problem: fmt.Sprintf(problem, args...)}
	}
}

func (c *compiler) document(doc *policyDoc) {
	if strings.TrimSpace(doc.Version) == "" {
		c.fail("", "version is required")
	}
	for d, text := range doc.Reasons {
		if d.rank() == 0 {
			c.fail("reasons", "key must be Accept, Review or Reject, got %q", d)
		}
		c.p.reasons[d.rank()] = text
	}
	for d, text := range doc.Details {
		if d.rank() == 0 {
			c.fail("details", "key must be Accept, Review or Reject, got %q", d)
		}
		c.p.details[d.rank()] = text
	}
	if len(doc.PolicySets) == 0 {
		c.fail("", "at least one policy set is required")
	}
	uuids := map[string]bool{}
	for i := range doc.PolicySets {
		sd := &doc.PolicySets[i]
		where := fmt.Sprintf("policy set %d %q", i+1, sd.Name)
		switch {
		case sd.UUID == "":
			c.fail(where, "uuid is required")
		case uuids[sd.UUID]:
			c.fail(where, "uuid %s is used by another policy set", sd.UUID)
		}
		uuids[sd.UUID] = true
		c.p.sets = append(c.p.sets, c.set(where, sd))
	}
}

func (c *compiler) set(where string, sd *policySetDoc) *policySet {
	s := &policySet{uuid: sd.UUID, name: sd.Name, mode: sd.Mode, conclusive: sd.Conclusive}
	if sd.Name == "" {
		c.fail(where, "name is required")
	}
	switch sd.Mode {
	case FirstMatch, WorstMatch:
		if len(sd.Thresholds) > 0 {
			c.fail(where, "thresholds apply only to Weighted mode")
		}
	case Weighted:
		c.thresholds(where, sd, s)
	default:
		c.fail(where, "mode must be FirstMatch, WorstMatch or Weighted, got %q", sd.Mode)
	}
	if len(sd.Rules) == 0 {
		c.fail(where, "at least one rule is required")
	}
	for i := range sd.Rules {
		s.rules = append(s.rules, c.rule(where, sd.Mode, &sd.Rules[i]))
	}
	return s
}

func (c *compiler) thresholds(where string, sd *policySetDoc, s *policySet) {
	if len(sd.Thresholds) == 0 {
		c.fail(where, "Weighted mode needs thresholds")
	}
	for i, t := range sd.Thresholds {
		if t.Decision.rank() == 0 {
			c.fail(where, "threshold %d: decision must be Accept, Review or Reject, got %q", i+1, t.Decision)
		}
		if i > 0 && t.Score <= sd.Thresholds[i-1].Score {
			c.fail(where, "thresholds must be in strictly ascending score order: %d follows %d", t.Score, sd.Thresholds[i-1].Score)
		}
		s.thresholds = append(s.thresholds, threshold{score: t.Score, decision: t.Decision, reason: t.Reason})
	}
}

func (c *compiler) rule(setWhere string, mode Mode, rd *ruleDoc) *rule {
	where := fmt.Sprintf("%s rule %q", setWhere, rd.ID)
	r := &rule{id: rd.ID, name: rd.Name, decision: rd.Decision, score: rd.Score, reason: rd.Reason}
	if r.reason == "" {
		r.reason = rd.Name
	}
	switch {
	case rd.ID == "":
		c.fail(where, "id is required")
	case c.ruleIDs[rd.ID]:
		c.fail(where, "id is used by another rule")
	case rd.Name == "":
		c.fail(where, "name is required")
	case strings.TrimSpace(rd.When) == "":
		c.fail(where, "when (the condition) is required")
	}
	c.ruleIDs[rd.ID] = true
	switch {
	case mode == Weighted && rd.Decision != "":
		c.fail(where, "a Weighted set decides by thresholds; remove the rule's decision")
	case mode != Weighted && rd.Decision.rank() == 0:
		c.fail(where, "decision must be Accept, Review or Reject, got %q", rd.Decision)
	case mode != Weighted && rd.Score < 0:
		c.fail(where, "score must not be negative")
	}
	if rd.When == "" {
		return r
	}
	// now() is disabled: a rule reading the clock could not be replayed.
	prog, err := expr.Compile(rd.When, expr.Env(c.env), expr.AsBool(), expr.MaxNodes(maxRuleNodes), expr.DisableBuiltin("now"))
	if err != nil {
		c.fail(where, "%s", exprProblem(err))
		return r
	}
	r.program = prog
	for _, name := range c.featureNames(prog.Node()) {
		r.features = append(r.features, featureProbe{name: name, program: c.probe(name)})
	}
	return r
}

// probe compiles (once per policy) a program that reads one feature.
func (c *compiler) probe(name string) *vm.Program {
	if p, ok := c.probes[name]; ok {
		return p
	}
	p, err := expr.Compile(name, expr.Env(c.env))
	if err != nil {
		// featureNames only returns names the checker resolved.
		panic(fmt.Sprintf("policy: feature %q does not compile: %v", name, err))
	}
	if c.probes == nil {
		c.probes = map[string]*vm.Program{}
	}
	c.probes[name] = p
	return p
}

// exprProblem rephrases expr's messages in policy terms.
func exprProblem(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "unknown name "); ok {
		if i := strings.IndexAny(name, " \n"); i >= 0 {
			name = name[:i]
		}
		return fmt.Sprintf("unknown feature %q (see features.md): %s", name, msg)
	}
	if strings.HasPrefix(msg, "expected bool") {
		return "condition must be true or false: " + msg
	}
	return "condition does not compile: " + msg
}

// featureNames lists, sorted and once each, the features an expression
// reads.
func (c *compiler) featureNames(root ast.Node) []string {
	v := identVisitor{features: c.features}
	ast.Walk(&root, &v)
	slices.Sort(v.names)
	return slices.Compact(v.names)
}

type identVisitor struct {
	features map[string]bool
	names    []string
}

func (v *identVisitor) Visit(node *ast.Node) {
	if id, ok := (*node).(*ast.IdentifierNode); ok && v.features[id.Value] {
		v.names = append(v.names, id.Value)
	}
}

// featureNamesOf is the set of names expr gives the fields of an
// environment struct: the `expr` tag, else the field's name.
func featureNamesOf(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("expr"), ",")
		if name == "" {
			name = f.Name
		}
		names[name] = true
	}
	return names
}
