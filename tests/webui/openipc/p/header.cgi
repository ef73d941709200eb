#!/usr/bin/haserl
Content-type: text/html; charset=UTF-8
Cache-Control: no-store
Pragma: no-cache

<!DOCTYPE html>
<!-- SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) -->
<!-- A stand-in for microbe-web's p/header.cgi in the test: its frame
     (Bootstrap 5, a dark navbar, the Services menu, the page title). -->
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title><% html_title "$page_title" %></title>
<link rel="stylesheet" href="/a/bootstrap.css">
</head>
<body id="page-<%= $pagename %>">
  <nav class="navbar navbar-dark bg-primary navbar-expand-lg sticky-top">
    <div class="container">
      <span class="navbar-brand">OpenIPC</span>
      <ul class="navbar-nav">
        <li class="nav-item"><span class="nav-link">Information</span></li>
        <li class="nav-item"><span class="nav-link">Settings</span></li>
        <li class="nav-item"><span class="nav-link active">Services</span></li>
      </ul>
    </div>
  </nav>
  <main class="pb-4">
    <div class="container pt-3" style="min-height: 90vh">
<h2><%= $page_title %></h2>
<% flash_read %>
