package org.schedctl.cli;

public enum OutputFormat {
    table, json, csv
}
