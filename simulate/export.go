package simulate

// Glob matches s against an IAM pattern p: '*' matches any run of
// characters (none included), '?' exactly one; with fold, ASCII letters
// compare case-insensitively (actions), without it case-sensitively
// (resources). It is the engine's own matcher, for packages that must match
// exactly as the engine does (IAM User Guide, reference_policies_elements_action
// and _resource: wildcards).
func Glob(p, s string, fold bool) bool { return glob(p, s, fold) }
