package org.schedctl.cli;

/** The -o formats; {@code wide} is the table with every column. */
public enum OutputFormat {
    table, wide, json, csv
}
