<!-- SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) -->
<!-- A stand-in for microbe-web's p/footer.cgi in the test. -->
    </div>
  </main>
  <footer class="bg-light x-small">
    <div class="container pt-3"><p class="text-end">Microbe Web UI (test stand-in)</p></div>
  </footer>
</body>
</html>
