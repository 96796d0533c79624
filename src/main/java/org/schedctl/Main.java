package org.schedctl;
public class Main { public static void main(String[] a){} }
