#!/bin/sh
echo "cli: no tests yet"
