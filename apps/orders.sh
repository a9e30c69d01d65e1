#!/usr/bin/env bash
# Random Loosehanger Jeans orders, localised to one region, one per line as "<order id><TAB><order JSON>".
# The key (order id) lets kafka-console-producer key each record; the JSON is the record value.
#
# Environment (defaults in brackets):
#   REGION_CODE             region written into each order, e.g. NA               [required]
#   WAREHOUSES              "|"-separated warehouses the region ships from          [required]
#   ORDER_INTERVAL_SECONDS  pause between two orders                                [10]
#   ORDER_COUNT             stop after this many orders; 0 = never stop             [0]
set -euo pipefail

: "${REGION_CODE:?REGION_CODE is required (e.g. NA)}"
: "${WAREHOUSES:?WAREHOUSES is required (\"|\"-separated, e.g. Atlanta|Chicago)}"
interval="${ORDER_INTERVAL_SECONDS:-10}"
count="${ORDER_COUNT:-0}"

IFS='|' read -r -a warehouses <<< "$WAREHOUSES"
titles=(Mr. Ms. Mrs. Dr. Mx.)
first_names=(Alfredo Maria Jan Sofia Liam Ana Noah Emma Lucas Chloe Mateo Lea Oliver Camila Hugo Zoe Diego Mila)
last_names=(Walker Silva Janssen Garcia Smith Rossi Müller Costa Dubois Lopez Brown Peeters Novak Santos Meyer Perez)
sizes=(XS S M L XL XXL)
colours=(Blue Black Grey White Indigo Stonewash Khaki)
styles=(Bootcut Skinny Straight Relaxed Slim Flared Tapered)
products=(Jeans Shorts Jacket Skirt Dungarees)

pick() { local -n list=$1; printf '%s' "${list[RANDOM % ${#list[@]}]}"; }
json_string() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
uuid() { cat /proc/sys/kernel/random/uuid; }

region=$(json_string "$REGION_CODE")
produced=0
while [[ "$count" -eq 0 || "$produced" -lt "$count" ]]; do
  id=$(uuid)
  customer="$(pick titles) $(pick first_names) $(pick last_names)"
  description="$(pick sizes) $(pick colours) $(pick styles) $(pick products)"
  price="$((RANDOM % 90 + 10)).$(printf '%02d' $((RANDOM % 100)))"
  quantity=$((RANDOM % 10 + 1))
  ordertime=$(date -u '+%Y-%m-%d %H:%M:%S.%3N')
  printf '%s\t{"id": "%s", "customer": %s, "customerid": "%s", "description": %s, "price": %s, "quantity": %d, "region": %s, "warehouse": %s, "ordertime": "%s"}\n' \
    "$id" "$id" "$(json_string "$customer")" "$(uuid)" "$(json_string "$description")" "$price" "$quantity" \
    "$region" "$(json_string "$(pick warehouses)")" "$ordertime"
  produced=$((produced + 1))
  if [[ "$count" -eq 0 || "$produced" -lt "$count" ]]; then sleep "$interval"; fi
done
