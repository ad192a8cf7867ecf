package policy

// EvaluatePolicies is evaluatePolicies, for the cookbook test, which reads
// policies through package config (which imports this one).
var EvaluatePolicies = evaluatePolicies
