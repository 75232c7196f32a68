package main

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// completionCommand prints a shell completion script. The scripts are
// static: generated from the app's commands and flags and the enums of
// enums.go, they complete without running lambda-doctor, so without AWS
// and at once.
func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh, fish or powershell",
		ArgsUsage: "SHELL",
		UsageText: "lambda-doctor completion bash|zsh|fish|powershell",
		Description: `Prints a script that completes lambda-doctor's commands, flags and the
values of enumerated flags (symptoms, output and fix formats, severities,
rule ids) in the shell named: bash, zsh, fish or powershell. The script is
static: it completes without running lambda-doctor.`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("completion takes one argument, the shell: %s", shells)
			}
			sh, ok := shells.match(c.Args().First())
			if !ok {
				return &flagError{err: &flagValueError{flag: "completion", value: c.Args().First(), enum: shells}}
			}
			return writeCompletion(c.App.Writer, c.App, sh)
		},
	}
}

// writeCompletion writes the completion script of app for shell.
func writeCompletion(w io.Writer, app *cli.App, shell string) error {
	m := completionModel(app)
	var s string
	switch shell {
	case "bash":
		s = bashCompletion(m)
	case "zsh":
		s = zshCompletion(m)
	case "fish":
		s = fishCompletion(m)
	case "powershell":
		s = powershellCompletion(m)
	default:
		return &flagError{err: &flagValueError{flag: "completion", value: shell, enum: shells}}
	}
	_, err := io.WriteString(w, s)
	return err
}

// compModel is what completion knows of the command line.
type compModel struct {
	prog     string
	global   []compFlag // the app's own flags (--help, --version)
	commands []compCommand
}

type compCommand struct {
	name    string
	aliases []string
	usage   string
	flags   []compFlag
	args    []string // the values of its argument, when enumerated
	cmdArg  bool     // its argument is a command name (help)
}

type compFlag struct {
	long, short []string // names without dashes
	usage       string   // the help text, placeholders unquoted
	value       string   // the placeholder of its value; "" when it takes none
	values      []string // enumerated values
	files       bool     // its value is a file
	repeat      bool     // may be given more than once
}

// names are the flag's names as typed: --long, -s.
func (f compFlag) names() []string {
	var out []string
	for _, n := range f.long {
		out = append(out, "--"+n)
	}
	for _, n := range f.short {
		out = append(out, "-"+n)
	}
	return out
}

func completionModel(app *cli.App) compModel {
	m := compModel{prog: app.Name}
	m.global = compFlags(app.Flags, nil)
	if !app.HideHelp && cli.HelpFlag != nil {
		m.global = appendFlag(m.global, compFlags([]cli.Flag{cli.HelpFlag}, nil)...)
	}
	if !app.HideVersion && app.Version != "" && cli.VersionFlag != nil {
		m.global = appendFlag(m.global, compFlags([]cli.Flag{cli.VersionFlag}, nil)...)
	}
	for _, c := range app.Commands {
		if c.Hidden || c.Name == "help" {
			continue
		}
		cc := compCommand{name: c.Name, aliases: c.Aliases, usage: c.Usage, flags: compFlags(c.Flags, flagEnums[c.Name])}
		if !c.HideHelp && cli.HelpFlag != nil {
			cc.flags = appendFlag(cc.flags, compFlags([]cli.Flag{cli.HelpFlag}, nil)...)
		}
		if e, ok := argEnums[c.Name]; ok {
			cc.args = e.values
		}
		m.commands = append(m.commands, cc)
	}
	if !app.HideHelp && !app.HideHelpCommand {
		m.commands = append(m.commands, compCommand{name: "help", usage: "show the help of a command", cmdArg: true})
	}
	return m
}

// appendFlag appends the flags whose names are not there yet.
func appendFlag(fs []compFlag, more ...compFlag) []compFlag {
	for _, f := range more {
		dup := false
		for _, g := range fs {
			if slices.Equal(f.long, g.long) && slices.Equal(f.short, g.short) {
				dup = true
			}
		}
		if !dup {
			fs = append(fs, f)
		}
	}
	return fs
}

func compFlags(flags []cli.Flag, enums map[string]enum) []compFlag {
	var out []compFlag
	for _, f := range flags {
		if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
			continue
		}
		var cf compFlag
		for _, n := range f.Names() {
			if len([]rune(n)) == 1 {
				cf.short = append(cf.short, n)
			} else {
				cf.long = append(cf.long, n)
			}
		}
		if d, ok := f.(cli.DocGenerationFlag); ok {
			cf.usage = strings.ReplaceAll(d.GetUsage(), "`", "")
			if d.TakesValue() {
				cf.value = placeholder(f)
				if cf.value == "" {
					cf.value = "VALUE"
				}
			}
		}
		if s, ok := f.(cli.DocGenerationSliceFlag); ok && s.IsSliceFlag() {
			cf.repeat = true
		}
		if _, ok := f.(*cli.GenericFlag); ok {
			cf.repeat = true // a generic value may collect (--context k=v ...)
		}
		for _, n := range f.Names() {
			if e, ok := enums[n]; ok {
				cf.values = e.values
			}
		}
		_, isPath := f.(*cli.PathFlag)
		cf.files = cf.value != "" && len(cf.values) == 0 && (isPath || cf.value == "FILE")
		out = append(out, cf)
	}
	return out
}

func (m compModel) commandNames() []string {
	var out []string
	for _, c := range m.commands {
		out = append(out, c.name)
		out = append(out, c.aliases...)
	}
	return out
}

// safeWord is what the scripts put unquoted in word lists: enumerated
// values, command and flag names. Anything else is left out of them.
var safeWord = regexp.MustCompile(`^[A-Za-z0-9._:/@+,=-]+$`)

func words(ws []string) []string {
	var out []string
	for _, w := range ws {
		if safeWord.MatchString(w) {
			out = append(out, w)
		}
	}
	return out
}

// shQuote single-quotes s for bash (and for zsh).
func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// funcName is prog as a shell function name: _lambda_doctor.
func funcName(prog string) string {
	return "_" + regexp.MustCompile(`[^A-Za-z0-9_]`).ReplaceAllString(prog, "_")
}

// oneLine keeps the first line of a help text, without control characters.
func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
}

func bashCompletion(m compModel) string {
	var b strings.Builder
	fn := funcName(m.prog)
	fmt.Fprintf(&b, `# bash completion for %[1]s, generated by '%[1]s completion bash'.
# Load it in ~/.bashrc:  eval "$(%[1]s completion bash)"
%[2]s() {
    local cur prev flag pre cmd i w words_only flags args
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=""
    [ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}
    # --flag=value: bash splits the word at "=" when COMP_WORDBREAKS has it.
    flag=$prev
    if [ "$cur" = "=" ]; then
        cur=""
    elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
        flag=${COMP_WORDS[COMP_CWORD-2]}
    elif [[ $cur == --*=* ]]; then
        flag=${cur%%%%=*}
        pre=$flag=
        cur=${cur#*=}
    fi
    # The command is the first word after the program that is not a flag
    # or a flag's value; after "--" only arguments follow.
    cmd=""
    words_only=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [ -n "$cmd" ]; then
            [ "$w" = "--" ] && words_only=1
            continue
        fi
        case $w in
%[3]s        -*) ;;
        *) cmd=$w ;;
        esac
    done
`, m.prog, fn, bashSkipValues(m.global))
	b.WriteString("    case $cmd in\n")
	b.WriteString("    \"\")\n")
	b.WriteString(bashValueCases(m.global, "        "))
	fmt.Fprintf(&b, "        flags=%s\n        args=%s\n        ;;\n",
		shQuote(strings.Join(words(flagNamesOf(m.global)), " ")), shQuote(strings.Join(words(m.commandNames()), " ")))
	for _, c := range m.commands {
		pat := strings.Join(append([]string{c.name}, c.aliases...), "|")
		fmt.Fprintf(&b, "    %s)\n", pat)
		b.WriteString(bashValueCases(c.flags, "        "))
		args := c.args
		if c.cmdArg {
			args = m.commandNames()
		}
		fmt.Fprintf(&b, "        flags=%s\n        args=%s\n        ;;\n",
			shQuote(strings.Join(words(flagNamesOf(c.flags)), " ")), shQuote(strings.Join(words(args), " ")))
	}
	b.WriteString("    *) return 0 ;;\n    esac\n")
	b.WriteString(`    if [ -z "$words_only" ] && { [[ $cur == -* ]] || [ -z "$args" ]; }; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$args" -- "$cur"))
    fi
    return 0
}
`)
	fmt.Fprintf(&b, "complete -F %s %s\n", fn, m.prog)
	return b.String()
}

// bashSkipValues are the case arms that step over a global flag's value
// while looking for the command.
func bashSkipValues(flags []compFlag) string {
	var pats []string
	for _, f := range flags {
		if f.value != "" {
			pats = append(pats, words(f.names())...)
		}
	}
	if len(pats) == 0 {
		return ""
	}
	return "        " + strings.Join(pats, "|") + ") ((i++)) ;;\n"
}

// bashValueCases completes the value of the flag before the cursor: its
// enumerated values, file names, or nothing (a value is expected).
func bashValueCases(flags []compFlag, indent string) string {
	var arms []string
	var files, free []string
	for _, f := range flags {
		names := words(f.names())
		if f.value == "" || len(names) == 0 {
			continue
		}
		switch {
		case len(f.values) > 0:
			arms = append(arms, fmt.Sprintf("%s%s)\n%s    COMPREPLY=($(compgen -P \"$pre\" -W %s -- \"$cur\"))\n%s    return 0 ;;\n",
				indent, strings.Join(names, "|"), indent, shQuote(strings.Join(words(f.values), " ")), indent))
		case f.files:
			files = append(files, names...)
		default:
			free = append(free, names...)
		}
	}
	if len(files) > 0 {
		arms = append(arms, fmt.Sprintf("%[1]s%[2]s)\n%[1]s    compopt -o filenames 2>/dev/null\n%[1]s    local IFS=$'\\n'\n%[1]s    COMPREPLY=($(compgen -P \"$pre\" -f -- \"$cur\"))\n%[1]s    return 0 ;;\n",
			indent, strings.Join(files, "|")))
	}
	if len(free) > 0 {
		arms = append(arms, fmt.Sprintf("%s%s)\n%s    return 0 ;;\n", indent, strings.Join(free, "|"), indent))
	}
	if len(arms) == 0 {
		return ""
	}
	return indent + "case $flag in\n" + strings.Join(arms, "") + indent + "esac\n"
}

func flagNamesOf(flags []compFlag) []string {
	var out []string
	for _, f := range flags {
		out = append(out, f.names()...)
	}
	return out
}

// zshDesc escapes a description for zsh's _arguments brackets and
// _describe entries.
func zshDesc(s string) string {
	return strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, `:`, `\:`).Replace(oneLine(s))
}

func zshCompletion(m compModel) string {
	var b strings.Builder
	// The function is named as the file it is installed in (_lambda-doctor
	// in $fpath), so that compinit's autoloading runs it at once.
	fn := "_" + m.prog
	fmt.Fprintf(&b, `#compdef %[1]s
# zsh completion for %[1]s, generated by '%[1]s completion zsh'.
# Install it as a file named _%[1]s in a directory of $fpath, or load it
# in ~/.zshrc after compinit:  source <(%[1]s completion zsh)

%[2]s() {
  local curcontext="$curcontext" state state_descr line ret=1
  typeset -A opt_args
  _arguments -C \
`, m.prog, fn)
	for _, spec := range zshSpecs(m.global) {
		fmt.Fprintf(&b, "    %s \\\n", spec)
	}
	b.WriteString(`    '1: :->command' \
    '*:: :->args' && ret=0
  case $state in
    command)
      local -a commands
      commands=(
`)
	for _, c := range m.commands {
		for _, n := range append([]string{c.name}, c.aliases...) {
			fmt.Fprintf(&b, "        %s\n", shQuote(strings.ReplaceAll(n, ":", `\:`)+":"+zshDesc(c.usage)))
		}
	}
	fmt.Fprintf(&b, `      )
      _describe -t commands %[1]s commands && ret=0
      ;;
    args)
      curcontext="${curcontext%%:*:*}:%[2]s-$line[1]:"
      case $line[1] in
`, shQuote(m.prog+" command"), m.prog)
	for _, c := range m.commands {
		pat := strings.Join(append([]string{c.name}, c.aliases...), "|")
		fmt.Fprintf(&b, "        %s)\n          _arguments \\\n", pat)
		for _, spec := range zshSpecs(c.flags) {
			fmt.Fprintf(&b, "            %s \\\n", spec)
		}
		switch {
		case c.cmdArg:
			fmt.Fprintf(&b, "            %s \\\n", shQuote("1:command:("+strings.Join(words(m.commandNames()), " ")+")"))
		case len(c.args) > 0:
			fmt.Fprintf(&b, "            %s \\\n", shQuote("1:value:("+strings.Join(words(c.args), " ")+")"))
		}
		b.WriteString("            && ret=0\n          ;;\n")
	}
	fmt.Fprintf(&b, `      esac
      ;;
  esac
  return ret
}

if [ "$funcstack[1]" = %[1]s ]; then
  %[1]s "$@"
else
  compdef %[1]s %[2]s
fi
`, fn, m.prog)
	return b.String()
}

// zshSpecs are the _arguments specs of flags, each one shell word.
func zshSpecs(flags []compFlag) []string {
	var out []string
	for _, f := range flags {
		names := words(f.names())
		if len(names) == 0 {
			continue
		}
		var s string
		if len(names) > 1 && !f.repeat {
			s += "(" + strings.Join(names, " ") + ")"
		}
		if f.repeat {
			s += "*"
		}
		desc := "[" + zshDesc(f.usage) + "]"
		var action string
		if f.value != "" {
			msg := strings.NewReplacer(`:`, `\:`, `\`, `\\`).Replace(oneLine(f.value))
			switch {
			case len(f.values) > 0:
				action = ":" + msg + ":(" + strings.Join(words(f.values), " ") + ")"
			case f.files:
				action = ":" + msg + ":_files"
			default:
				action = ":" + msg + ": "
			}
		}
		if len(names) == 1 {
			out = append(out, shQuote(s+names[0]+zshValueMark(names[0], f)+desc+action))
			continue
		}
		// (-f --function){-f+,--function=}'[...]:NAME: '
		var alts []string
		for _, n := range names {
			alts = append(alts, n+zshValueMark(n, f))
		}
		out = append(out, shQuote(s)+"{"+strings.Join(alts, ",")+"}"+shQuote(desc+action))
	}
	return out
}

// zshValueMark says how a flag's value may be written: --long=V or
// --long V, -s V or -sV.
func zshValueMark(name string, f compFlag) string {
	if f.value == "" {
		return ""
	}
	if strings.HasPrefix(name, "--") {
		return "="
	}
	return "+"
}

// fishQuote single-quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func fishCompletion(m compModel) string {
	var b strings.Builder
	c := "complete -c " + m.prog
	fmt.Fprintf(&b, `# fish completion for %[1]s, generated by '%[1]s completion fish'.
# Install it:  %[1]s completion fish > ~/.config/fish/completions/%[1]s.fish
%[2]s -f
`, m.prog, c)
	noCmd := "__fish_use_subcommand"
	for _, f := range m.global {
		b.WriteString(fishFlag(c, noCmd, f))
	}
	for _, cmd := range m.commands {
		for _, n := range append([]string{cmd.name}, cmd.aliases...) {
			if safeWord.MatchString(n) {
				fmt.Fprintf(&b, "%s -n %s -a %s -d %s\n", c, noCmd, n, fishQuote(oneLine(cmd.usage)))
			}
		}
	}
	for _, cmd := range m.commands {
		cond := fishQuote("__fish_seen_subcommand_from " + strings.Join(words(append([]string{cmd.name}, cmd.aliases...)), " "))
		for _, f := range cmd.flags {
			b.WriteString(fishFlag(c, cond, f))
		}
		args := cmd.args
		if cmd.cmdArg {
			args = m.commandNames()
		}
		if len(words(args)) > 0 {
			fmt.Fprintf(&b, "%s -n %s -a %s\n", c, cond, fishQuote(strings.Join(words(args), " ")))
		}
	}
	return b.String()
}

func fishFlag(c, cond string, f compFlag) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s -n %s", c, cond)
	for _, n := range words(f.long) {
		fmt.Fprintf(&b, " -l %s", n)
	}
	for _, n := range words(f.short) {
		fmt.Fprintf(&b, " -s %s", n)
	}
	switch {
	case f.value == "":
	case len(f.values) > 0:
		fmt.Fprintf(&b, " -x -a %s", fishQuote(strings.Join(words(f.values), " ")))
	case f.files:
		b.WriteString(" -r -F")
	default:
		b.WriteString(" -x")
	}
	fmt.Fprintf(&b, " -d %s\n", fishQuote(oneLine(f.usage)))
	return b.String()
}

// psQuote single-quotes s for PowerShell: a quote is doubled. PowerShell
// also ends a single-quoted string at the typographic quotes U+2018-U+201B,
// which are doubled the same way.
func psQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		if r == '\'' || (r >= '\u2018' && r <= '\u201b') {
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

func psList(ws []string) string {
	var q []string
	for _, w := range ws {
		q = append(q, psQuote(w))
	}
	return "@(" + strings.Join(q, ", ") + ")"
}

func psFlags(flags []compFlag, indent string) string {
	var b strings.Builder
	b.WriteString("@(\n")
	for _, f := range flags {
		names := words(f.names())
		if len(names) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s    @{ Names = %s; Usage = %s; Takes = $%t; Values = %s; Files = $%t }\n",
			indent, psList(names), psQuote(oneLine(f.usage)), f.value != "", psList(words(f.values)), f.files)
	}
	b.WriteString(indent + ")")
	return b.String()
}

func powershellCompletion(m compModel) string {
	var b strings.Builder
	fmt.Fprintf(&b, `# PowerShell completion for %[1]s, generated by '%[1]s completion powershell'.
# Load it:  %[1]s completion powershell | Out-String | Invoke-Expression
# (add that line to $PROFILE to keep it).
Register-ArgumentCompleter -Native -CommandName %[2]s -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $global = %[3]s
    $commands = [ordered]@{
`, m.prog, psQuote(m.prog), psFlags(m.global, "    "))
	for _, c := range m.commands {
		args := c.args
		if c.cmdArg {
			args = m.commandNames()
		}
		fmt.Fprintf(&b, "        %s = @{ Usage = %s; Aliases = %s; Args = %s; Flags = %s }\n",
			psQuote(c.name), psQuote(oneLine(c.usage)), psList(words(c.aliases)), psList(words(args)), psFlags(c.flags, "            "))
	}
	b.WriteString(`    }
    # The words before the cursor; the one being completed is not among them.
    $words = @()
    foreach ($e in $commandAst.CommandElements) {
        if ($e.Extent.EndOffset -lt $cursorPosition -or ($e.Extent.EndOffset -eq $cursorPosition -and $wordToComplete -eq '')) {
            $words += $e.Extent.Text
        }
    }
    $cur = $wordToComplete
    $prefix = ''
    if ($cur -like '--*=*') {
        $at = $cur.IndexOf('=')
        $prefix = $cur.Substring(0, $at + 1)
        $flagName = $cur.Substring(0, $at)
        $cur = $cur.Substring($at + 1)
    } elseif ($words.Count -gt 1) {
        $flagName = $words[$words.Count - 1]
    } else {
        $flagName = ''
    }
    $cmd = $null
    for ($i = 1; $i -lt $words.Count; $i++) {
        $w = $words[$i]
        if ($w.StartsWith('-')) {
            foreach ($f in $global) { if ($f.Takes -and $f.Names -contains $w) { $i++ } }
            continue
        }
        if ($commands.Contains($w)) { $cmd = $w }
        else { foreach ($k in $commands.Keys) { if ($commands[$k].Aliases -contains $w) { $cmd = $k } } }
        break
    }
    if ($null -eq $cmd) {
        $flags = $global
        $values = @()
        foreach ($k in $commands.Keys) { $values += $k; $values += $commands[$k].Aliases }
    } else {
        $flags = $commands[$cmd].Flags
        $values = $commands[$cmd].Args
    }
    $candidates = @()
    $flag = $null
    foreach ($f in $flags) { if ($f.Takes -and $f.Names -contains $flagName) { $flag = $f } }
    if ($null -ne $flag) {
        if ($flag.Files) {
            Get-ChildItem -Path "$cur*" -ErrorAction SilentlyContinue | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($prefix + $_.Name, $_.Name, 'ProviderItem', $_.Name)
            }
            return
        }
        $candidates = $flag.Values
    } elseif ($cur.StartsWith('-') -or $values.Count -eq 0) {
        foreach ($f in $flags) { $candidates += $f.Names }
    } else {
        $candidates = $values
    }
    foreach ($c in $candidates) {
        if ($c -like "$cur*") {
            [System.Management.Automation.CompletionResult]::new($prefix + $c, $c, 'ParameterValue', $c)
        }
    }
}
`)
	return b.String()
}
