# bash completion for greendc(1), installed as bash-completion/completions/greendc (loaded on
# demand by bash-completion, or `source` it by hand).
#
# It completes commands, each command's options, the choices an option lists in its help
# (--format table|csv|json), file arguments, and series and device names of the site in use
# (the -c FILE or --db PATH already on the line, else greendc's defaults). Everything comes
# from greendc itself, so the completion follows the CLI without a copy of its tables, and
# it degrades instead of failing:
#   commands   `greendc --commands`, else the "commands:" block of `greendc --help`, else a
#              fixed list;
#   options    `greendc COMMAND --help`, asked only of a CLI that has --version (the one whose
#              --help does nothing else); an older CLI gets the global options only;
#   names      series from `greendc series` (the store), devices from `greendc devices`, those
#              series and the devices: list of the configuration (and its conf.d/); an
#              unreadable store or config just gives fewer names.
# Each question to greendc is bounded by timeout(1) and its errors are discarded.

# greendc with the line's -c/--db, quiet and bounded. Uses _gdc_prog and _gdc_site.
_greendc_ask()
{
	local t=()
	command -v timeout >/dev/null 2>&1 && t=(timeout 2)
	"${t[@]}" "$_gdc_prog" "${_gdc_site[@]}" "$@" 2>/dev/null </dev/null
}

_greendc_commands()
{
	local out
	out=$(_greendc_ask --commands | awk 'NF && $1 ~ /^[a-z][a-z0-9-]*$/ { print $1 }')
	if [[ -z $out ]]; then
		out=$(_greendc_ask --help | awk '/^commands:/ { c = 1; next } /^[^ ]/ { c = 0 }
			c && /^  [a-z]/ { print $1 }')
	fi
	# The commands of greendc 0.1.0, for a CLI that cannot list them.
	printf '%s\n' "${out:-check-config devices series query tail backup pue kpi freecool alerts
report import export}" | tr ' ' '\n'
}

# The help text of one command (empty for a CLI older than --version: its --help could act).
_greendc_help()
{
	_greendc_ask --version >/dev/null || return 0
	local t=()
	command -v timeout >/dev/null 2>&1 && t=(timeout 2)
	# stderr too: older commands print their usage there.
	"${t[@]}" "$_gdc_prog" "${_gdc_site[@]}" "$1" --help 2>&1 </dev/null
}

# The configuration in use: -c/--config from the line, else the CLI's default.
_greendc_config()
{
	local i
	for ((i = 0; i < ${#_gdc_site[@]}; i++)); do
		case ${_gdc_site[i]} in
		-c | --config) printf '%s\n' "${_gdc_site[i + 1]}" && return ;;
		--config=*) printf '%s\n' "${_gdc_site[i]#--config=}" && return ;;
		esac
	done
	printf '%s\n' /etc/greendc/greendc.yaml
}

# Stored series as "device metric{labels}" (the names selectors and globs match).
_greendc_series()
{
	_greendc_ask series --format csv |
		sed -En '2,$ s/^[^,]*,[^,]*,([^,]*),([^,]*),"?([^"]*)"?$/\1 \2{\3}/p' | sed 's/{}$//'
}

# Device names: the store's device table and series, and the configuration's devices: list
# (block or flow style; a heuristic over YAML, good enough to offer names).
_greendc_devices()
{
	local conf
	conf=$(_greendc_config)
	{
		_greendc_ask devices --format csv | awk -F, 'NR > 1 { print $1 }'
		_greendc_series | awk '{ print $1 }'
		[[ -r $conf ]] && cat -- "$conf" "${conf%/*}"/conf.d/*.yaml 2>/dev/null |
			awk '/^[^ #-]/ { dev = ($0 ~ /^devices:/); next }
			dev && match($0, /(^|[-{,])[ ]*name:[ ]*["'\'']?[A-Za-z0-9_.-]+/) {
				s = substr($0, RSTART, RLENGTH); sub(/.*name:[ ]*["'\'']?/, "", s); print s }'
	} | sort -u
}

# Offer the lines of $1 that start with the word being completed. Names hold spaces and
# braces ("utility-a power_w{feed=A}"), so no compgen -W (it would brace-expand them): the word
# is dequoted here (a leading quote, backslash escapes) and readline quotes what it inserts
# (-o filenames).
_greendc_offer()
{
	local w c=${cur#[\'\"]}
	c=$(printf '%s' "$c" | sed 's/\\\(.\)/\1/g')
	while IFS= read -r w; do
		[[ -n $w && $w == "$c"* ]] && COMPREPLY+=("$w")
	done <<<"$1"
	compopt -o filenames 2>/dev/null || true
}

_greendc_files()
{
	if declare -F _filedir >/dev/null; then
		_filedir
	else
		mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen -f -- "$cur")
	fi
}

_greendc()
{
	local cur prev words=() cword=0 i
	COMPREPLY=()
	# Rejoin "--opt" "=" "value" (readline splits at =, COMP_WORDBREAKS) into one word.
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		if [[ ${COMP_WORDS[i]} == = && ${#words[@]} -gt 0 && ${words[-1]} == -* ]]; then
			words[-1]+="="
			((i < COMP_CWORD)) && [[ $i -lt $((${#COMP_WORDS[@]} - 1)) ]] && ((i++)) &&
				words[-1]+=${COMP_WORDS[i]}
		else
			words+=("${COMP_WORDS[i]}")
		fi
		((i <= COMP_CWORD)) && cword=$((${#words[@]} - 1))
	done
	cur=${words[cword]}
	prev=${words[cword - 1]}
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	fi

	local _gdc_prog=${words[0]} _gdc_site=() cmd=""
	[[ $_gdc_prog == */* && -x $_gdc_prog ]] || _gdc_prog=greendc
	# Global options up to the command word; -c/--db are passed on to every question.
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-c | --config | --db)
			_gdc_site+=("${words[i]}" "${words[i + 1]}")
			((i++))
			;;
		--config=* | --db=*) _gdc_site+=("${words[i]}") ;;
		-*) ;;
		*)
			cmd=${words[i]}
			break
			;;
		esac
	done

	if [[ -z $cmd ]]; then
		case $prev in
		-c | --config | --db)
			_greendc_files
			return
			;;
		esac
		if [[ $cur == -* ]]; then
			local opts
			opts=$(_greendc_ask --help | awk '/^options:/ { o = 1; next } /^[^ ]/ { o = 0 }
				o' | grep -oE -- '(^|[ ,])--?[a-z][a-z-]*' | tr -d ' ,')
			mapfile -t COMPREPLY < <(compgen -W "${opts:--c --config --db} --help" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_greendc_commands)" -- "$cur")
		fi
		return
	fi

	local help
	help=$(_greendc_help "$cmd")
	# An option taking a value: its listed choices, or files for FILE/PATH/DIR/x.ext.
	if [[ $prev == -* && -n $help ]]; then
		local arg
		arg=$(printf '%s\n' "$help" | grep -oE -- "(^|[ [])${prev}[ =][^] ]+" | head -n 1 |
			sed -E 's/^[ []?[^ =]+[ =]//')
		if [[ -n $arg && $arg != -* ]]; then
			if [[ $arg == *'|'* && $arg =~ ^[a-z0-9|-]+$ ]]; then
				mapfile -t COMPREPLY < <(compgen -W "${arg//|/ }" -- "$cur")
			elif [[ $arg =~ FILE|PATH|DIR|\. ]]; then
				_greendc_files
			fi
			return
		fi
	fi
	if [[ $cur == -* ]]; then
		local opts
		opts=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z-]*' | sort -u)
		mapfile -t COMPREPLY < <(compgen -W "$opts --help" -- "$cur")
		return
	fi
	case $cmd in
	series | query | tail | export)
		# Selectors and globs match "device metric{labels}": whole series names, and the
		# configured devices that have none stored yet.
		_greendc_offer "$(
			_greendc_series
			_greendc_devices
		)"
		;;
	check-config | import | backup) _greendc_files ;;
	esac
}

complete -F _greendc greendc
