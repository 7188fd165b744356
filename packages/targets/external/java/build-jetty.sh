#!/bin/sh
# Compiles the Jetty echo server and client driver into one jar, run by @wsmatrix/targets' build step as
#   sh build-jetty.sh OUTPUT.jar
# The jar's manifest names Debian's Jetty 9.4 jars (libjetty9-java, libjetty9-extra-java, libservlet-api-java)
# as its Class-Path, so `java -cp OUTPUT.jar JettyEcho` finds them: the one place that lists them.
set -eu
output=$1
here=$(dirname "$0")
lib=/usr/share/java
jars="servlet-api jetty9-util jetty9-util-ajax jetty9-io jetty9-http jetty9-server jetty9-client
  jetty9-websocket-api jetty9-websocket-common jetty9-websocket-servlet jetty9-websocket-server
  jetty9-websocket-client"

classpath=
for jar in $jars; do
  test -r "$lib/$jar.jar" || { echo "error: $lib/$jar.jar missing" >&2; exit 1; }
  classpath="$classpath${classpath:+:}$lib/$jar.jar"
done

classes=$(mktemp -d)
trap 'rm -rf "$classes"' EXIT
javac -encoding UTF-8 -Xlint:all -Werror -d "$classes/out" -cp "$classpath" \
  "$here/JettyEcho.java" "$here/JettyClientDriver.java"

# Manifest lines are limited to 72 bytes: one jar per continuation line (a leading space joins it to the last).
first=Class-Path:
for jar in $jars; do
  echo "${first:- } $lib/$jar.jar"
  first=
done >"$classes/manifest"
jar --create --file "$output" --manifest "$classes/manifest" -C "$classes/out" .
